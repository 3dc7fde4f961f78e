"""Warming the engine up as the server starts, before the editor opens a document.

The engine loads libcst on its first parse, and its rules their tables on their first file: about
0.35 s of CPU that the first opened document would otherwise wait for. Analysing a small Flask
module and template (text held here: nothing of the project is read) pays it while the editor
initializes the server, on the thread that computes the open documents' own diagnostics.
"""

from __future__ import annotations

import logging

from flasklint.engine import analyse_python, analyse_template

log = logging.getLogger(__name__)

MODULE = b'''\
from flask import Blueprint, Flask, Markup, redirect, render_template, request, send_file, url_for

app = Flask(__name__)
app.secret_key = "warm"
bp = Blueprint("warm", __name__, template_folder="templates")


@app.route("/warm/<int:number>", methods=["GET", "POST"])
def warm(number):
    if request.method == "POST":
        return redirect(request.args.get("next"))
    page = f"<p>{request.args['q']}</p>" + url_for("warm", number=number)
    return Markup(page) + render_template("warm.html", number=number)


@bp.get("/file")
def file():
    return send_file(request.args["path"])


app.register_blueprint(bp)

if __name__ == "__main__":
    app.run(debug=True)
'''
TEMPLATE = b"""\
{% extends "base.html" %}
{% block body %}<a href="{{ url_for('warm', number=1) }}">{{ page|safe }}</a>{% endblock %}
"""


def warm_up() -> None:
    """Analyse the module and template above (their findings are thrown away)."""
    try:
        analyse_python("warm.py", "warm", False, MODULE)
        analyse_template("templates/warm.html", TEMPLATE)
    except Exception:  # noqa: BLE001 - only an optimisation: the first real analysis pays instead
        log.exception("warming the engine up failed")
