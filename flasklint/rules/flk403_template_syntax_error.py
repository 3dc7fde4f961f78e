from __future__ import annotations

from flasklint.diagnostics import Diagnostic, Severity
from flasklint.rule import Case, FileRule, Finding


class TemplateSyntaxErrorRule(FileRule):
    """
    ## What it does
    Reports a Jinja template that Jinja's own parser rejects (an unclosed block, a bad expression)
    or that is not valid UTF-8. Tags from Jinja extensions flasklint does not load (for example
    `{% assets %}`) are not reported.

    ## Why is this bad?
    Flask raises `jinja2.exceptions.TemplateSyntaxError` the first time the template is rendered:
    the page answers with a 500 error, and flasklint cannot check the template's `url_for` calls
    and links.

    ## Example
    ```html
    {% if user %}
      <p>Hello {{ user.name }}</p>
    ```

    ## Use instead
    ```html
    {% if user %}
      <p>Hello {{ user.name }}</p>
    {% endif %}
    ```

    ## Fix safety
    There is no automatic fix.
    """

    code = "FLK403"
    name = "template-syntax-error"
    summary = "Jinja template has a syntax error"
    severity = Severity.ERROR
    kinds = frozenset({"template"})
    invalid = [
        Case(
            {
                "app.py": "from flask import Flask\n\napp = Flask(__name__)\n",
                "templates/page.html": "{% if user %}\n<p>{{ user.name }}</p>\n",
            },
            Finding(
                (2, 0, 2, 0),
                "template syntax error: Unexpected end of template. Jinja was looking for the following "
                "tags: 'elif' or 'else' or 'endif'. The innermost block that needs to be closed is 'if'.",
                path="templates/page.html",
            ),
        ),
        Case(
            {"app.py": "from flask import Flask\n\napp = Flask(__name__)\n", "templates/page.html": '''
{% if user %}
  <p>Hello {{ user.name }}</p>
'''},
            Finding(
                (3, 0, 3, 0),
                "template syntax error: Unexpected end of template. Jinja was looking for the following "
                "tags: 'elif' or 'else' or 'endif'. The innermost block that needs to be closed is 'if'.",
                path="templates/page.html",
            ),
        ),
    ]
    valid = [
        {
            "app.py": "from flask import Flask\n\napp = Flask(__name__)\n",
            "templates/page.html": "{% if user %}\n<p>{{ user.name }}</p>\n{% endif %}\n",
        },
        {
            "app.py": "from flask import Flask\n\napp = Flask(__name__)\n",
            "templates/page.html": "{% assets 'js' %}<script src='{{ ASSET_URL }}'></script>{% endassets %}\n",
        },
        {"app.py": "from flask import Flask\n\napp = Flask(__name__)\n", "templates/page.html": '''
{% if user %}
  <p>Hello {{ user.name }}</p>
{% endif %}
'''},
    ]

    def at(self, path: str, line: int, message: str) -> Diagnostic:
        return self.diagnostic(path, (line, 0, line, 0), f"template syntax error: {message}")
