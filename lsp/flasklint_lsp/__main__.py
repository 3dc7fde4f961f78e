"""`python -m flasklint_lsp` starts the language server on stdio (as `flasklint server` does)."""

from flasklint_lsp.server import main

if __name__ == "__main__":  # not when a spawned worker process imports this module
    raise SystemExit(main())
