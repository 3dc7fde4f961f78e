from __future__ import annotations

from typing import Iterable, TypedDict

from flasklint.diagnostics import Diagnostic, Severity
from flasklint.model.facts import FileFacts
from flasklint.model.index import ProjectIndex, TemplateJinja
from flasklint.model.templates import JINJA_TAGS, TemplateModel, extension_tags
from flasklint.rule import Case, Finding, ProjectRule

APP = "from flask import Flask\n\napp = Flask(__name__)\n"


class ErrorData(TypedDict):
    """Why Jinja rejects one template, where."""

    message: str
    span: list[int]  # row, column, end row, end column
    tag: str | None  # "Encountered unknown tag": the tag, valid if an extension of the app defines it
    syntax: bool  # False: the file cannot be read at all (not UTF-8), whatever the Jinja settings


class TemplateSyntaxErrorRule(ProjectRule):
    """
    ## What it does
    Reports a template of the app that Jinja rejects when Flask loads it: a syntax error (an
    unclosed block, a bad expression), a tag no extension of the app defines (Django's
    `{% load static %}`, a misspelt `{% endblok %}`), a nesting mistake (`{% endif %}` closing a
    `for`), a block defined twice, or a file that is not valid UTF-8. The span is the token Jinja
    stopped at.

    Only files an app or blueprint the project creates can load are checked (a Helm chart's
    `templates/NOTES.txt` is not a Flask template). Not reported: templates of an app with other
    delimiters or Jinja options flasklint cannot read; an error inside a `{{ ... }}` written in
    another template language (a Mustache `{{{name}}}` or `{{#list}}`, a Go `{{ .Values.x }}`: the
    file is most likely read by other code); and unknown tags where the app adds a Jinja extension
    whose tags flasklint does not know (its own, or through a Flask extension other than the common
    ones: Flask-Babel's `trans`, Flask-Assets' `assets` and Flask-Caching's `cache` are known). The
    tags of `jinja2.ext.i18n`, `do` and `loopcontrols` are always accepted (an app may add them in
    ways flasklint cannot see).

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
    data_shape = ErrorData
    invalid = [
        Case(
            {"app.py": APP, "templates/page.html": "{% if user %}\n<p>{{ user.name }}</p>\n"},
            Finding(
                (2, 22, 2, 22),
                "template syntax error: Unexpected end of template. Jinja was looking for the following "
                "tags: 'elif' or 'else' or 'endif'. The innermost block that needs to be closed is 'if'.",
                path="templates/page.html",
            ),
        ),
        Case(
            {"app.py": APP, "templates/page.html": '''
{% if user %}
  <p>Hello {{ user.name }}</p>
'''},
            Finding(
                (3, 30, 3, 30),
                "template syntax error: Unexpected end of template. Jinja was looking for the following "
                "tags: 'elif' or 'else' or 'endif'. The innermost block that needs to be closed is 'if'.",
                path="templates/page.html",
            ),
        ),
        Case(
            {"app.py": APP, "templates/page.html": "<p>\n  {% load static %}\n</p>\n"},
            Finding(
                (2, 5, 2, 9), "template syntax error: Encountered unknown tag 'load'.", path="templates/page.html"
            ),
        ),
        Case(
            {"app.py": APP, "templates/page.html": "{% block content %}\n  <p>Hi</p>\n{% endblok %}\n"},
            Finding(
                (3, 3, 3, 10),
                "template syntax error: Encountered unknown tag 'endblok'. Jinja was looking for the "
                "following tags: 'endblock'. The innermost block that needs to be closed is 'block'.",
                path="templates/page.html",
            ),
        ),
        Case(
            {"app.py": APP, "templates/page.html": "{% for item in items %}\n  {{ item }}\n{%- endif %}\n"},
            Finding(
                (3, 4, 3, 9),
                "template syntax error: Encountered unknown tag 'endif'. Jinja was looking for the "
                "following tags: 'endfor' or 'else'. The innermost block that needs to be closed is 'for'.",
                path="templates/page.html",
            ),
        ),
        Case(
            {
                "app.py": APP,
                "templates/page.html": "{% block content %}a{% endblock %}\n"
                "<p>{% block  content %}b{% endblock %}</p>\n",
            },
            Finding(
                (2, 13, 2, 20), "template syntax error: block 'content' defined twice", path="templates/page.html"
            ),
        ),
        Case(
            {"app.py": APP, "templates/page.html": "<p>{{ user.name | }}</p>\n"},
            Finding(
                (1, 18, 1, 20),
                "template syntax error: expected token 'name', got 'end of print statement'",
                path="templates/page.html",
            ),
        ),
        Case(  # jinja2.ext.debug defines it, but the app does not add it
            {"app.py": APP, "templates/page.html": "<pre>\n{% debug %}\n</pre>\n"},
            Finding(
                (2, 3, 2, 8), "template syntax error: Encountered unknown tag 'debug'.", path="templates/page.html"
            ),
        ),
    ]
    valid = [
        {"app.py": APP, "templates/page.html": "{% if user %}\n<p>{{ user.name }}</p>\n{% endif %}\n"},
        {"app.py": APP, "templates/page.html": '''
{% if user %}
  <p>Hello {{ user.name }}</p>
{% endif %}
'''},
        {
            "app.py": APP + "from flask_assets import Environment\n\nassets = Environment(app)\n",
            "templates/page.html": "{% assets 'js' %}<script src='{{ ASSET_URL }}'></script>{% endassets %}\n",
        },
        {
            "app.py": APP + "from flask_caching import Cache\n\ncache = Cache(app)\n",
            "templates/page.html": "{% cache 60 %}<p>Hi</p>{% endcache %}\n",
        },
        {  # a Flask extension flasklint does not know may add Jinja tags
            "app.py": APP + "from flask_flare import Flare\n\nFlare(app)\n",
            "templates/page.html": "{% component 'card' %}{% endcomponent %}\n",
        },
        {
            "app.py": APP,
            "templates/page.html": "{% trans %}Hi{% endtrans %}{% do items.append(1) %}"
            "{% for i in items %}{% break %}{% endfor %}\n",
        },
        {  # a Helm chart's Go template: no app loads it (the app's templates are elsewhere)
            "web/app.py": APP,
            "web/templates/index.html": "<p>Hi</p>\n",
            "chart/templates/NOTES.txt": "Get the URL:\n  {{ .Values.service.port }}\n  $(kubectl get svc)\n",
        },
        {  # Vue-friendly delimiters: `{{ }}` is Vue's, Jinja reads `[[ ]]`
            "app.py": APP + 'app.jinja_options = {"variable_start_string": "[[", "variable_end_string": "]]"}\n',
            "templates/page.html": "<p>{{ ok ? 'yes' : 'no' }}</p>\n<p>[[ user.name ]]</p>\n",
        },
        {  # a Mustache e-mail body kept beside the Jinja templates (read with open(), not by Flask)
            "app.py": APP,
            "templates/emails/alert.html": '<span class="{{{STATUS}}}">{{#rows}}<td>{{name}}</td>{{/rows}}</span>\n',
        },
        {  # the same block name in two templates (one extends the other)
            "app.py": APP,
            "templates/base.html": "{% block content %}{% endblock %}\n",
            "templates/page.html": "{% extends 'base.html' %}{% block content %}Hi{% endblock %}\n",
        },
    ]

    def collect_template(self, template: TemplateModel) -> ErrorData | None:
        error = template.error
        if error is None or error.foreign:
            return None  # a Mustache or Go template in the template folder: not Jinja's to judge
        return ErrorData(message=error.message, span=list(error.span), tag=error.tag, syntax=True)

    def unreadable(self, line: int, message: str, syntax: bool) -> ErrorData:
        """The data of a template the engine could not analyse (not UTF-8, nested too deeply)."""
        return ErrorData(message=message, span=[line, 0, line, 0], tag=None, syntax=syntax)

    def check(self, index: ProjectIndex, facts: FileFacts) -> Iterable[Diagnostic]:
        error: ErrorData | None = self.data(facts)
        if error is None or facts.kind != "template" or not index.is_flask_template(facts.path):
            return
        jinja = index.template_jinja(facts.path)
        if error["syntax"] and (jinja.custom_syntax or jinja.opaque):
            return  # Jinja's default parse of the file proves nothing
        if error["tag"] is not None and not _rejected_by_app(error["tag"], jinja, index):
            return
        row, column, end_row, end_column = error["span"]
        message = f"template syntax error: {error['message']}"
        yield self.diagnostic(facts.path, (row, column, end_row, end_column), message)


def _rejected_by_app(tag: str, jinja: TemplateJinja, index: ProjectIndex) -> bool:
    """Would the app's Jinja reject this tag too? Not when an extension it adds may define it."""
    provided: set[str] = set()
    for name in sorted(jinja.extensions) + _flask_extensions(index):
        tags = extension_tags(name)
        if tags is None:
            return False  # an extension whose tags flasklint does not know
        provided |= tags
    return tag in JINJA_TAGS or tag not in provided


def _flask_extensions(index: ProjectIndex) -> list[str]:
    """The Flask extensions the project's own code imports (Flask-Assets adds its Jinja extension itself)."""
    found = {name for facts in index.files.values() if not facts.is_test for name in facts.extensions}
    return sorted(found)
