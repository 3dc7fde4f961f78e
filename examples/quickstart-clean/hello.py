"""The quickstart's first example, under a name that does not shadow Flask."""

from flask import Flask

app = Flask(__name__)


@app.route("/")
def hello_world():
    return "<p>Hello, World!</p>"
