from __future__ import annotations

from flasklint.diagnostics import Diagnostic, Severity
from flasklint.rule import Case, FileRule, Finding


class SyntaxErrorRule(FileRule):
    """
    ## What it does
    Reports a Python file that cannot be analysed: a syntax error, bytes that are not valid in the
    file's encoding (UTF-8 unless a PEP 263 coding cookie says otherwise), or a NUL byte.

    ## Why is this bad?
    Python cannot import the file either, and none of flasklint's other rules can look inside it,
    so its pitfalls go unreported until it parses.

    ## Example
    ```python
    from flask import Flask

    app = Flask(__name__
    ```

    ## Use instead
    ```python
    from flask import Flask

    app = Flask(__name__)
    ```

    ## Fix safety
    There is no automatic fix.
    """

    code = "FLK001"
    name = "syntax-error"
    summary = "File cannot be parsed (syntax error, undecodable bytes or NUL bytes)"
    severity = Severity.ERROR
    invalid = [
        Case(
            "from flask import Flask\n\napp = Flask(__name__\n",
            Finding((3, 11, 3, 11), "syntax error: '(' was never closed"),
        ),
        Case(
            "def broken(:\n    pass\n",
            Finding((1, 11, 1, 11), "syntax error: invalid syntax"),
        ),
        Case(
            {"app.py": "x = 1\n", "nul.py": "x = 1\x00\n"},
            Finding((1, 0, 1, 0), "source contains a NUL byte and cannot be parsed", path="nul.py"),
        ),
    ]
    valid = [
        "from flask import Flask\n\napp = Flask(__name__)\n",
        "# -*- coding: latin-1 -*-\nname = 'caf\u00e9'\n",
        "",
    ]

    def at(self, path: str, line: int, message: str, column: int = 0) -> Diagnostic:
        return self.diagnostic(path, (line, column, line, column), message)
