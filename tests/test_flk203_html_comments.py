"""FLK203 and HTML comments: a link inside `<!-- ... -->` is dead markup, in templates and in HTML
built by a view; a live link beside it is still reported, and its fix leaves the comment alone."""

from __future__ import annotations

from pathlib import Path

from rule_testing import findings, fix_and_relint, lint, write_project

APP = (
    "from flask import Flask\n\napp = Flask(__name__)\n\n"
    "@app.route('/login')\ndef login():\n    return 'login'\n"
)
MESSAGE = (
    "hardcoded URL `/login` of this app's route 'login': use `url_for('login')` so it follows the app's "
    "URL prefix and route changes"
)


def test_a_commented_out_link_in_a_template_is_not_reported_nor_fixed(tmp_path: Path) -> None:
    page = (
        '<!-- <a href="/login">Old login</a> -->\n'
        "<!--\n  {% if user %}<form action=\"/login\">{% endif %}\n-->\n"
        '<a href="/login">Log in</a>\n'
    )
    write_project(tmp_path, {"app.py": APP, "templates/page.html": page})
    assert findings(lint(tmp_path, "FLK203")) == [("templates/page.html", 5, 9, 5, 15, MESSAGE)]
    assert fix_and_relint(tmp_path, "FLK203")["templates/page.html"] == page.replace(
        '<a href="/login">Log in', "<a href=\"{{ url_for('login') }}\">Log in"
    )


def test_only_comments_no_finding(tmp_path: Path) -> None:
    page = '<!-- <a href="/login"> -->\n<!-- unclosed\n<a href="/login">\n'
    write_project(tmp_path, {"app.py": APP, "templates/page.html": page})
    assert lint(tmp_path, "FLK203") == []


def test_a_commented_out_link_in_html_built_by_a_view(tmp_path: Path) -> None:
    view = (
        "\n@app.route('/')\ndef index():\n"
        "    return '<!-- <a href=\"/login\">old</a> --><a href=\"/login\">Log in</a>'\n"
    )
    write_project(tmp_path, {"app.py": APP + view})
    assert [(d.start.row, d.start.column, d.end.column) for d in lint(tmp_path, "FLK203")] == [(11, 54, 60)]


def test_an_f_string_with_the_link_commented_out(tmp_path: Path) -> None:
    view = (
        "\n@app.route('/<name>')\ndef index(name):\n"
        "    return f'<p>{name}</p><!-- <a href=\"/login\">{name}</a> -->'\n"
    )
    write_project(tmp_path, {"app.py": APP + view})
    assert lint(tmp_path, "FLK203") == []


def test_a_comment_split_across_implicitly_concatenated_literals(tmp_path: Path) -> None:
    view = (
        "\n@app.route('/')\ndef index():\n"
        "    return ('<!-- '\n            '<a href=\"/login\">old</a>'\n            ' -->'\n"
        "            f'<a href=\"/login\">{1}</a>')\n"
    )
    write_project(tmp_path, {"app.py": APP + view})
    assert [(d.start.row, d.start.column, d.end.column) for d in lint(tmp_path, "FLK203")] == [(14, 23, 29)]
