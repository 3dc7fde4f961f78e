"""`python -m flasklint_lsp` starts the language server on stdio (as `flasklint server` does)."""

from flasklint_lsp.server import main

raise SystemExit(main())
