"""The quickstart's snippets pasted into one app. Every pitfall is marked with the rule that finds it.

Run `flasklint check examples/quickstart` to see them all, `flasklint rule FLK101` to read about one.
"""

import os

from flask import Flask, flash, redirect, render_template, request, session, url_for

from config import Config

# FLK302 (missing-secret-key): `login` and `logout` write the session and `upload_file` flashes a
# message, but nothing ever sets a secret key: config.Config holds one, yet nobody calls
# `app.config.from_object(Config)`. Flask raises "RuntimeError: The session is unavailable
# because no secret key was set" on the first login.
app = Flask(__name__)


@app.route("/")
def index():
    return render_template("index.html", username=session.get("username"))


@app.route("/hello/<name>")
def hello(name):
    # FLK101 (unescaped-input-in-html): `name` comes from the URL and is returned as HTML
    # unescaped, so /hello/<img src=x onerror=alert(1)> runs script in the visitor's browser.
    return f"Hello, {name}!"


@app.route("/search")
def search():
    query = request.args.get("q", "")
    # FLK101 again: a query-string value reflected into HTML.
    return f"<h1>Results for {query}</h1><p>No results.</p>"


@app.route("/user/<username>")
def profile(username):
    return render_template("profile.html", username=username)


@app.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "POST":
        session["username"] = request.form["username"]
        return redirect(url_for("index"))
    return render_template("login.html")


@app.route("/logout")
def logout():
    session.pop("username", None)
    # FLK201 (unknown-endpoint): there is no endpoint "indx"; url_for raises BuildError at
    # request time, so logging out answers with a 500 error.
    return redirect(url_for("indx"))


@app.route("/upload", methods=["GET", "POST"])
def upload_file():
    if "username" not in session:
        # FLK203 (hardcoded-url): breaks as soon as the app is mounted under a prefix;
        # url_for("login") follows the route wherever it goes.
        return redirect("/login")
    if request.method == "POST":
        f = request.files["the_file"]
        # FLK102 (unsafe-upload-filename): the client chooses the file name, so a name like
        # "../../app.py" writes outside the upload folder. Wrap it in secure_filename().
        f.save(os.path.join(Config.UPLOAD_FOLDER, f.filename))
        flash("File uploaded")
        return redirect(url_for("index"))
    return render_template("upload.html")


if __name__ == "__main__":
    # FLK103 (debug-on-public-host): the interactive debugger runs Python code for anyone who
    # can reach this port, and 0.0.0.0 makes it every machine on the network.
    app.run(host="0.0.0.0", debug=True)
