# FLK301 (app-module-named-flask): a leftover scratch file from trying the quickstart's first
# example. Because it sits next to app.py, `python app.py` (or gunicorn) imports *this* file for
# `from flask import ...` and fails with "ImportError: cannot import name 'Flask' from partially
# initialized module 'flask'". Delete it, or rename it to hello.py.
from flask import Flask

app = Flask(__name__)


@app.route("/")
def hello_world():
    return "<p>Hello, World!</p>"
