"""`python -m flasklint` runs the CLI (the VS Code extension starts the server this way)."""

from flasklint.cli import main

raise SystemExit(main())
