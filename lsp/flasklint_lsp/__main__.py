"""`python -m flasklint_lsp` starts the language server on stdio (as `flasklint server` does).

`-m` puts the working directory first on `sys.path`; it goes before anything else is imported.
"""

from flasklint.isolation import drop_project_paths

drop_project_paths()

from flasklint_lsp.server import main  # noqa: E402

if __name__ == "__main__":  # not when a spawned worker process imports this module
    raise SystemExit(main())
