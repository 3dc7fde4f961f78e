"""`python -m flasklint` runs the CLI (the VS Code extension starts the server this way)."""

from flasklint.cli import main

if __name__ == "__main__":  # not when a spawned worker process imports this module
    raise SystemExit(main())
