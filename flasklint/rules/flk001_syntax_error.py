from __future__ import annotations

from flasklint.diagnostics import Diagnostic, Severity
from flasklint.rule import Case, FileRule, Finding


class SyntaxErrorRule(FileRule):
    """
    ## What it does
    Reports a Python file that cannot be analysed: a syntax error, bytes that are not valid in the
    file's encoding (UTF-8 unless a PEP 263 coding cookie says otherwise), or a NUL byte.

    CPython decides what a syntax error is: its parser, and its symbol-table pass, which rejects a
    file before it runs too (`def view(name, name)`, `nonlocal` at module level, `import *` inside
    a function). Errors only its bytecode compiler raises (`return` outside a function, `break`
    outside a loop) are not reported: such a file is analysed as it reads.

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
            'from flask import Flask\n\napp = Flask(__name__)\n\n\n@app.route("/<name>")\n'
            "def hello(name, name):\n    return name\n",
            Finding((7, 16, 7, 16), "syntax error: duplicate argument 'name' in function definition"),
        ),
        Case(
            "from flask import session\n\nnonlocal session\n",
            Finding((3, 0, 3, 0), "syntax error: nonlocal declaration not allowed at module level"),
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
        # The symbol table's own checks pass: a global rebound in a function, a closure's nonlocal.
        "count = 0\n\n\ndef bump():\n    global count\n    count += 1\n\n\n"
        "def outer():\n    total = 0\n\n    def inner():\n        nonlocal total\n        total += 1\n\n    return inner\n",
    ]

    def at(self, path: str, line: int, message: str, column: int = 0) -> Diagnostic:
        return self.diagnostic(path, (line, column, line, column), message)
