"""The catalogue, a blueprint the shop registers under /catalog."""

from flask import Blueprint, redirect, render_template

catalog = Blueprint("catalog", __name__)

ITEMS = {1: "Teapot", 42: "Kettle"}


@catalog.route("/")
def index():
    return render_template("catalog/index.html", items=ITEMS)


@catalog.route("/items/<int:item_id>")
def item(item_id):
    return render_template("catalog/item.html", item_id=item_id, name=ITEMS[item_id])


@catalog.route("/latest")
def latest():
    # FLK203 (hardcoded-url): the registration's prefix is part of the path; `url_for` is not imported
    # here and the f-string hole becomes a keyword, so the fix is offered as unsafe.
    return redirect(f"/catalog/items/{max(ITEMS)}")
