"""The back office, mounted under /admin by wsgi.py. Each pitfall is marked with the rule that finds it;
`# trap:` marks code that looks like one but is right, and must stay silent."""

import hashlib
import hmac
import os

from flask import redirect, render_template, request, session, url_for

from admin.core import AdminFlask

app = AdminFlask(__name__)


def signed_url_for(filename: str) -> str:
    """A download link signed for the file server in front of the back office (not a Flask route)."""
    key = os.environ["DOWNLOAD_KEY"].encode()
    signature = hmac.new(key, filename.encode(), hashlib.sha256).hexdigest()
    return f"/files/{filename}?sig={signature}"


@app.route("/")
def dashboard():
    return render_template("dashboard.html")


@app.route("/login", methods=["GET", "POST"])
def admin_login():
    if request.method == "POST":
        # FLK302 (missing-secret-key): the shop sets its key, this app sets none; Flask raises
        # RuntimeError here.
        session["admin"] = request.form["user"]
        # FLK203 (hardcoded-url): under the /admin mount this is the back office's dashboard.
        return redirect("/admin/")
    return render_template("login.html")


@app.route("/logout")
def admin_logout():
    # FLK201 (unknown-endpoint): `home` is the shop's endpoint, not this app's: BuildError.
    return redirect(url_for("home"))


@app.route("/export")
def export():
    # trap: this page gets its own `url_for`; its calls are not Flask's endpoints.
    return render_template("export.html", url_for=signed_url_for)
