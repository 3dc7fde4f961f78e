"""The quickstart demo without its pitfalls; each fix is noted next to the line it changed."""

import os

from flask import Flask, flash, redirect, render_template, request, session, url_for
from markupsafe import escape
from werkzeug.utils import secure_filename

from config import Config

app = Flask(__name__)
# The key (and the rest of the settings) are loaded: the session works, and the key itself
# lives in the environment (generate one with `python -c 'import secrets; print(secrets.token_hex())'`).
app.config.from_object(Config)


@app.route("/")
def index():
    return render_template("index.html", username=session.get("username"))


@app.route("/hello/<name>")
def hello(name):
    # Escaped: markup in the URL is shown as text, not run.
    return f"Hello, {escape(name)}!"


@app.route("/search")
def search():
    query = request.args.get("q", "")
    # Templates escape every value they render.
    return render_template("search.html", query=query)


@app.route("/user/<int:user_id>")
def profile(user_id):
    # An int converter: the value can only be digits, so it is safe in HTML as it is.
    return f"<h1>User {user_id}</h1>"


@app.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "POST":
        session["username"] = request.form["username"]
        return redirect(url_for("index"))
    return render_template("login.html")


@app.route("/logout")
def logout():
    session.pop("username", None)
    return redirect(url_for("index"))


@app.route("/upload", methods=["GET", "POST"])
def upload_file():
    if "username" not in session:
        return redirect(url_for("login"))
    if request.method == "POST":
        f = request.files["the_file"]
        # secure_filename() drops path separators and "..", so the file lands in the folder.
        f.save(os.path.join(app.config["UPLOAD_FOLDER"], secure_filename(f.filename)))
        flash("File uploaded")
        return redirect(url_for("index"))
    return render_template("upload.html")


@app.route("/api/echo")
def echo():
    # JSON responses are not HTML: returning request data in a dict is fine.
    return {"q": request.args.get("q", "")}


if __name__ == "__main__":
    # Debug mode on the loopback interface only, as the quickstart advises.
    app.run(debug=True)
