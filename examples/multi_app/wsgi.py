"""One WSGI application for gunicorn: the shop at the root, the back office under /admin.

Each app resolves `url_for` against its own routes: in the back office `url_for("admin_login")` is
`/admin/login`, while `/login` in a browser is the shop's login page.
"""

from werkzeug.middleware.dispatcher import DispatcherMiddleware

from admin import app as admin_app
from shop import app as shop_app

application = DispatcherMiddleware(shop_app, {"/admin": admin_app})
