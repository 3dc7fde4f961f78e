"""The storefront. Each pitfall is marked with the rule that finds it; `# trap:` marks code that
looks like one but is right, and must stay silent."""

import os

from flask import Flask, redirect, render_template, request, session, url_for

from shop.catalog import catalog

app = Flask(__name__)
app.secret_key = os.environ["SHOP_SECRET_KEY"]
app.register_blueprint(catalog, url_prefix="/catalog")


@app.route("/")
def home():
    return render_template("home.html")


@app.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "POST":
        session["customer"] = request.form["email"]  # trap: this app sets its secret key
        return redirect(url_for("home"))
    return render_template("login.html")


@app.route("/logout")
def logout():
    session.pop("customer", None)
    # FLK203 (hardcoded-url): `url_for("login")` would follow a proxy prefix; safe fix, as `/login`
    # is a route of this app (the back office's own `/login` is another app's and does not count).
    return redirect("/login")
