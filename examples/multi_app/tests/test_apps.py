"""trap: tests drive the apps through their URLs; literal paths are right here."""

from admin import app as admin_app
from shop import app as shop_app


def test_pages_answer() -> None:
    assert shop_app.test_client().get("/login").status_code == 200
    assert admin_app.test_client().get("/login").status_code == 200
