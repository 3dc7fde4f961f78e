from __future__ import annotations

from flasklint.diagnostics import Diagnostic, Severity
from flasklint.rule import Case, FileRule, Finding

# libcst parses ~50 KB/s with positions here: 500 KB is ~10 s, already far beyond hand-written modules.
MAX_ANALYSED_BYTES = 500_000


def too_large_reason(size: int) -> str:
    return f"it is {size / 1_000_000:.1f} MB, over flasklint's {MAX_ANALYSED_BYTES // 1000} KB limit for one file"


class FileNotAnalysed(FileRule):
    """
    ## What it does
    Reports a Python file or a template that flasklint skipped instead of analysing: one larger
    than 500 KB, or one whose code nests so deeply (an expression tens of thousands of levels deep)
    that the parser cannot follow it. Such files are almost always generated (data tables,
    compiled protocol buffers, bundled templates, fuzzing corpora). Rarely, valid Python that
    flasklint's parser (libcst) cannot read, such as indentation mixing a tab and a space, is
    skipped too: Python accepts it, so it is not a syntax error (FLK001).

    ## Why is this bad?
    Nothing is wrong with the file itself, but none of flasklint's rules looked inside it, so a
    pitfall there would go unreported. Parsing one file of that size with positions takes tens of
    seconds, which would make every run, and the editor, wait for a file nobody edits by hand.

    ## Example
    ```python illustrative
    # generated_routes.py: 5 MB written by a code generator
    ROUTES = [
        ("/item/0", "item_0"),
        ("/item/1", "item_1"),
    ]
    ```

    ## Use instead
    ```python
    # Exclude generated files in pyproject.toml:
    # [tool.flasklint]
    # exclude = ["generated_routes.py"]
    ROUTES = [("/item/0", "item_0")]
    ```

    ## Fix safety
    There is no automatic fix: exclude the file, or split it if it is written by hand.
    """

    code = "FLK002"
    name = "file-not-analysed"
    summary = "File is too large (over 500 KB) or too deeply nested to analyse, and was skipped"
    severity = Severity.INFO
    kinds = frozenset({"python", "template"})
    invalid = [
        Case(
            {"app.py": "x = 1\n", "big.py": "x = 1\n" * (MAX_ANALYSED_BYTES // 6 + 1)},
            Finding(
                (1, 0, 1, 0),
                "file not analysed: it is 0.5 MB, over flasklint's 500 KB limit for one file (generated "
                "code?); exclude it in [tool.flasklint], or split it",
                path="big.py",
            ),
        ),
    ]
    valid = [
        "x = 1\n" * 1000,
        '''
# Exclude generated files in pyproject.toml:
# [tool.flasklint]
# exclude = ["generated_routes.py"]
ROUTES = [("/item/0", "item_0")]
''',
    ]

    def at(self, path: str, reason: str) -> Diagnostic:
        return self.diagnostic(
            path,
            (1, 0, 1, 0),
            f"file not analysed: {reason} (generated code?); exclude it in [tool.flasklint], or split it",
        )
