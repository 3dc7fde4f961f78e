"""The project index's endpoint table: apps, factories, blueprints, registrations, and its blind spots."""

from __future__ import annotations

from pathlib import Path

from conftest import write_project
from flasklint.engine import Project
from flasklint.model.index import Endpoint, ProjectIndex


def build(tmp_path: Path, files: dict[str, str]) -> ProjectIndex:
    write_project(tmp_path, files)
    project = Project(tmp_path, use_cache=False)
    project.discover()
    project.analyse()
    return project.index


def rules(index: ProjectIndex) -> dict[str, list[str | None]]:
    return {name: sorted((e.rule for e in endpoints), key=str) for name, endpoints in index.endpoints.items()}


AUTH = """
    from flask import Blueprint

    bp = Blueprint("auth", __name__, url_prefix="/auth")

    @bp.route("/login")
    def login():
        return "login"
"""


# -- apps -------------------------------------------------------------------------------------------
def test_module_level_app_with_quickstart_routes(tmp_path: Path) -> None:
    index = build(
        tmp_path,
        {
            "app.py": """
                from flask import Flask

                app = Flask(__name__)

                @app.route('/')
                def index():
                    return 'index'

                @app.route('/login')
                def login():
                    return 'login'

                @app.route('/user/<username>')
                def profile(username):
                    return username
            """
        },
    )
    assert index.has_app and not index.endpoints_incomplete
    assert rules(index) == {
        "index": ["/"],
        "login": ["/login"],
        "profile": ["/user/<username>"],
        "static": ["/static/<path:filename>"],
    }


def test_factory_app_and_app_created_elsewhere(tmp_path: Path) -> None:
    index = build(
        tmp_path,
        {
            "pkg/__init__.py": """
                from flask import Flask

                def create_app():
                    app = Flask(__name__)

                    @app.get("/health")
                    def health():
                        return "ok"

                    from .auth import bp as auth_bp
                    app.register_blueprint(auth_bp)
                    return app
            """,
            "pkg/auth.py": AUTH,
            "wsgi.py": """
                from pkg import create_app

                app = create_app()

                @app.post("/hook")
                def hook():
                    return "ok"
            """,
        },
    )
    assert rules(index) == {
        "health": ["/health"],
        "hook": ["/hook"],
        "auth.login": ["/auth/login"],
        "static": ["/static/<path:filename>"],
    }
    assert index.endpoints["health"][0].methods == ("GET",)
    assert not index.endpoints_incomplete and not index.foreign_blueprints


def test_app_options_static_and_template_folders(tmp_path: Path) -> None:
    index = build(
        tmp_path,
        {
            "a.py": "from flask import Flask\napp = Flask(__name__, static_url_path='/assets')\n",
            "b.py": "from flask import Flask\napp = Flask(__name__, static_folder='public')\n",
            "c.py": "from flask import Flask\napp = Flask(__name__, static_folder=None)\n",
            "d.py": "import os\nfrom flask import Flask\napp = Flask(__name__, static_folder=os.environ['S'])\n",
            "e.py": "from flask import Flask\napp = Flask(__name__, None, 'static', None, False, False, 'views')\n",
        },
    )
    # a.py, b.py, e.py (static_url_path=None is the default); d.py's folder is computed; c.py has none.
    assert rules(index)["static"] == ["/assets/<path:filename>", "/public/<path:filename>", "/static/<path:filename>", None]
    assert "views" in index.template_folders


# -- blueprints and registrations -----------------------------------------------------------------
def test_registration_prefix_overrides_and_name_registers_twice(tmp_path: Path) -> None:
    index = build(
        tmp_path,
        {
            "app.py": """
                from flask import Flask
                from auth import bp

                app = Flask(__name__)
                app.register_blueprint(bp, url_prefix="/override")
                app.register_blueprint(bp, name="auth2", url_prefix="/a2")
            """,
            "auth.py": AUTH,
        },
    )
    assert rules(index)["auth.login"] == ["/override/login"]
    assert rules(index)["auth2.login"] == ["/a2/login"]
    assert index.blueprint_names == {"auth", "auth2"}
    assert len(index.match_path("/a2/login")) == 1


def test_imports_followed_module_attribute_and_reexport(tmp_path: Path) -> None:
    index = build(
        tmp_path,
        {
            "pkg/__init__.py": """
                from flask import Flask
                from . import views
                from .blueprints import admin_bp

                app = Flask(__name__)
                app.register_blueprint(views.bp)
                app.register_blueprint(admin_bp)
            """,
            "pkg/views.py": """
                from flask import Blueprint

                bp = Blueprint("views", __name__)

                @bp.route("/")
                def home():
                    return "home"
            """,
            "pkg/blueprints/__init__.py": "from .admin import bp as admin_bp\n",
            "pkg/blueprints/admin.py": """
                from flask import Blueprint

                bp = Blueprint("admin", __name__, url_prefix="/admin")

                @bp.route("/")
                def dash():
                    return "dash"
            """,
        },
    )
    assert rules(index)["views.home"] == ["/"]
    assert rules(index)["admin.dash"] == ["/admin/"]
    assert not index.foreign_blueprints


def test_nested_blueprints_join_names_and_prefixes(tmp_path: Path) -> None:
    index = build(
        tmp_path,
        {
            "app.py": """
                from flask import Flask, Blueprint

                parent = Blueprint("parent", __name__, url_prefix="/parent")
                child = Blueprint("child", __name__, url_prefix="/child")
                bare = Blueprint("bare", __name__)

                @child.route("/leaf")
                def leaf():
                    return "leaf"

                @bare.route("")
                def root():
                    return "root"

                parent.register_blueprint(child)
                parent.register_blueprint(bare)
                app = Flask(__name__)
                app.register_blueprint(parent)
            """
        },
    )
    assert rules(index)["parent.child.leaf"] == ["/parent/child/leaf"]
    assert rules(index)["parent.bare.root"] == ["/parent"]
    assert "child.leaf" not in index.endpoints
    assert {"parent", "parent.child", "parent.bare"} <= index.blueprint_names


def test_blueprint_static_and_template_folders(tmp_path: Path) -> None:
    index = build(
        tmp_path,
        {
            "app.py": """
                from flask import Flask, Blueprint

                shop = Blueprint("shop", __name__, url_prefix="/shop", static_folder="assets",
                                 template_folder="shop_templates")
                plain = Blueprint("plain", __name__)
                app = Flask(__name__)
                app.register_blueprint(shop)
                app.register_blueprint(plain)
            """
        },
    )
    assert rules(index)["shop.static"] == ["/shop/assets/<path:filename>"]
    assert "plain.static" not in index.endpoints
    assert "shop_templates" in index.template_folders


def test_add_url_rule_endpoint_and_class_based_views(tmp_path: Path) -> None:
    index = build(
        tmp_path,
        {
            "app.py": """
                from flask import Flask
                from flask.views import MethodView

                app = Flask(__name__)

                def legacy():
                    return "old"

                class UserAPI(MethodView):
                    def get(self):
                        return "users"

                app.add_url_rule("/legacy", view_func=legacy)
                app.add_url_rule("/legacy2", "leg2", legacy)
                app.add_url_rule("/noview", endpoint="noview")
                app.add_url_rule("/users/", view_func=UserAPI.as_view("users"))
                item_view = UserAPI.as_view("user_item")
                app.add_url_rule("/users/<int:id>", view_func=item_view)

                @app.route("/profile/<int:uid>", endpoint="profile")
                def show_user(uid):
                    return "x"
            """
        },
    )
    assert rules(index) == {
        "legacy": ["/legacy"],
        "leg2": ["/legacy2"],
        "noview": ["/noview"],
        "users": ["/users/"],
        "user_item": ["/users/<int:id>"],
        "profile": ["/profile/<int:uid>"],
        "static": ["/static/<path:filename>"],
    }
    assert "show_user" not in index.endpoints and not index.endpoints_incomplete


def test_routes_on_a_parameter(tmp_path: Path) -> None:
    index = build(
        tmp_path,
        {
            "app.py": """
                from flask import Flask
                from views import register_views, register_bp_views

                app = Flask(__name__)
                register_views(app)
            """,
            "views.py": """
                def register_views(app):
                    @app.route("/about")
                    def about():
                        return "about"

                def register_bp_views(bp):
                    @bp.route("/item")
                    def item():
                        return "item"
            """,
        },
    )
    assert rules(index)["about"] == ["/about"]
    assert "item" not in index.endpoints
    assert index.endpoint_may_exist("item") and index.endpoint_may_exist("shop.item")
    assert not index.endpoint_may_exist("shop.other")


# -- incompleteness --------------------------------------------------------------------------------
def test_computed_endpoint_makes_the_app_incomplete(tmp_path: Path) -> None:
    index = build(
        tmp_path,
        {
            "app.py": """
                from flask import Flask

                app = Flask(__name__)
                for name in ("a", "b"):
                    app.add_url_rule("/" + name, name, lambda: name)
            """
        },
    )
    assert index.endpoints_incomplete and index.endpoint_may_exist("anything")


def test_computed_endpoint_on_a_blueprint_is_incomplete_only_there(tmp_path: Path) -> None:
    index = build(
        tmp_path,
        {
            "app.py": """
                from flask import Flask, Blueprint

                bp = Blueprint("dyn", __name__)
                for name in ("a", "b"):
                    bp.add_url_rule("/" + name, name, lambda: name)
                app = Flask(__name__)
                app.register_blueprint(bp)
            """
        },
    )
    assert not index.endpoints_incomplete
    assert index.endpoint_may_exist("dyn.a") and not index.endpoint_may_exist("nothing")


def test_blueprints_registered_in_a_loop(tmp_path: Path) -> None:
    index = build(
        tmp_path,
        {
            "app.py": """
                from flask import Flask
                from auth import bp as auth

                app = Flask(__name__)
                for blueprint in (auth,):
                    app.register_blueprint(blueprint)
            """,
            "auth.py": AUTH,
        },
    )
    # The name holds; the prefix may have been overridden, so the rule is unknown.
    assert rules(index)["auth.login"] == [None]
    assert index.endpoint_may_exist("other_bp.view") and not index.endpoint_may_exist("auth.logn")
    assert not index.endpoint_may_exist("missing")


def test_extension_blueprints_and_flask_restful(tmp_path: Path) -> None:
    index = build(
        tmp_path,
        {
            "app.py": """
                from flask import Flask
                from flask_admin import Admin
                from flask_restful import Api, Resource
                from auth import bp

                app = Flask(__name__)
                app.register_blueprint(bp)
                admin = Admin(app)
                api = Api(app)

                class TodoList(Resource):
                    def get(self):
                        return []

                api.add_resource(TodoList, "/todos")
                api.add_resource(TodoList, "/todo/<int:id>", endpoint="todo")
            """,
            "auth.py": AUTH,
        },
    )
    assert index.foreign_blueprints and not index.endpoints_incomplete
    assert index.endpoint_may_exist("admin.index")  # Flask-Admin's own blueprint
    assert not index.endpoint_may_exist("auth.logn")  # a known blueprint stays checkable
    assert all(index.endpoint_may_exist(n) for n in ("todolist", "todo_list", "todo"))
    assert not index.endpoint_may_exist("todos")


def test_restx_class_routes_make_the_index_incomplete(tmp_path: Path) -> None:
    index = build(
        tmp_path,
        {
            "app.py": """
                from flask import Flask
                from flask_restx import Api, Resource

                app = Flask(__name__)
                api = Api(app)

                @api.route("/hello")
                class Hello(Resource):
                    def get(self):
                        return {}
            """
        },
    )
    assert index.endpoints_incomplete


def test_no_app_outside_tests_means_no_endpoint_table(tmp_path: Path) -> None:
    index = build(
        tmp_path,
        {
            "ext/views.py": AUTH,
            "tests/test_views.py": "from flask import Flask\n\napp = Flask(__name__)\n",
        },
    )
    assert not index.has_app and index.endpoint_may_exist("anything")


# -- queries ----------------------------------------------------------------------------------------
def test_relative_endpoint_owners(tmp_path: Path) -> None:
    index = build(
        tmp_path,
        {
            "app.py": """
                from flask import Flask
                from auth import bp

                app = Flask(__name__)
                app.register_blueprint(bp)
                app.register_blueprint(bp, name="auth2")
            """,
            "auth.py": AUTH,
        },
    )
    assert index.blueprints_registered_as(["auth.bp"]) == ["auth", "auth2"]
    assert index.blueprints_registered_as(["app.app"]) == [""]
    assert index.blueprints_registered_as([]) is None


AUTH_TWICE_AND_INDEX = {
    "app.py": """
        from flask import Flask
        from auth import bp

        app = Flask(__name__)
        app.register_blueprint(bp)
        app.register_blueprint(bp, name="auth2")

        @app.route("/")
        def index():
            return "home"
    """,
    "auth.py": AUTH,
}


def names(endpoints: list[Endpoint]) -> list[str]:
    return [endpoint.name for endpoint in endpoints]


def test_endpoint_names_resolve_relative_names_as_flask_does(tmp_path: Path) -> None:
    index = build(tmp_path, AUTH_TWICE_AND_INDEX)
    assert index.endpoint_names("auth.login", ["auth.bp"]) == ["auth.login"]
    assert index.endpoint_names(".login", ["auth.bp"]) == ["auth.login", "auth2.login"]
    assert index.endpoint_names(".index", ["app.app"]) == ["index"]  # a view of the app: no blueprint
    assert index.endpoint_names(".login") is None  # a template: any blueprint, or the app
    assert index.endpoint_names(".login", ["nowhere.bp"]) is None


def test_resolve_endpoint(tmp_path: Path) -> None:
    index = build(tmp_path, AUTH_TWICE_AND_INDEX)
    assert names(index.resolve_endpoint("auth2.login")) == ["auth2.login"]
    assert names(index.resolve_endpoint(".login", ["auth.bp"])) == ["auth.login", "auth2.login"]
    assert names(index.resolve_endpoint(".index", ["app.app"])) == ["index"]
    assert names(index.resolve_endpoint(".index", ["auth.bp"])) == []
    assert names(index.resolve_endpoint(".index")) == ["index"]
    assert names(index.resolve_endpoint(".login")) == ["auth.login", "auth2.login"]
    assert names(index.resolve_endpoint("login")) == []


def test_url_for_may_build(tmp_path: Path) -> None:
    index = build(tmp_path, AUTH_TWICE_AND_INDEX)
    assert index.url_for_may_build("auth2.login")
    assert not index.url_for_may_build("login")
    assert index.url_for_may_build(".login", ["auth.bp"])
    assert not index.url_for_may_build(".login", ["app.app"])
    assert index.url_for_may_build(".login") and index.url_for_may_build(".index")
    assert not index.url_for_may_build(".logout")


def test_url_for_may_build_anything_in_an_incomplete_blueprint(tmp_path: Path) -> None:
    computed = AUTH + "\nfor name in ['a', 'b']:\n    bp.add_url_rule('/' + name, name, lambda: name)\n"
    index = build(tmp_path, {**AUTH_TWICE_AND_INDEX, "auth.py": computed})
    assert index.url_for_may_build(".anything", ["auth.bp"])
    assert not index.url_for_may_build(".anything", ["app.app"])


def test_relative_endpoint_names(tmp_path: Path) -> None:
    index = build(tmp_path, AUTH_TWICE_AND_INDEX)
    assert index.relative_endpoint_names(["auth.bp"]) == [".login"]
    assert index.relative_endpoint_names(["app.app"]) == [".index", ".static"]
    assert index.relative_endpoint_names() == [".index", ".login", ".static"]


def test_template_files_in_every_template_folder(tmp_path: Path) -> None:
    index = build(
        tmp_path,
        {
            "app.py": "from flask import Flask\nfrom shop import shop\napp = Flask(__name__)\napp.register_blueprint(shop)\n",
            "shop/__init__.py": "from flask import Blueprint\nshop = Blueprint('shop', __name__, template_folder='templates')\n",
            "templates/index.html": "<p>app</p>\n",
            "shop/templates/index.html": "<p>shop</p>\n",
            "shop/templates/mail/welcome.eml": "Hello\n",  # not a template suffix: on disk only
        },
    )
    assert index.template_folders == ["shop/templates", "templates"]
    assert index.template_files("index.html") == ["shop/templates/index.html", "templates/index.html"]
    assert index.template_files("mail/welcome.eml") == ["shop/templates/mail/welcome.eml"]
    assert index.template_files("missing.html") == []


def test_match_path_ranks_literal_rules_first_and_skips_catch_alls(tmp_path: Path) -> None:
    index = build(
        tmp_path,
        {
            "app.py": """
                from flask import Flask

                app = Flask(__name__)

                @app.route("/users/new")
                def new_user():
                    return "new"

                @app.route("/users/<name>")
                def user(name):
                    return name

                @app.route("/projects/")
                def projects():
                    return "projects"

                @app.route("/<path:page>")
                def page(page):
                    return page
            """
        },
    )
    assert [e.name for e, _ in index.match_path("/users/new")] == ["new_user", "user"]
    assert [(e.name, v) for e, v in index.match_path("/users/ada")] == [("user", {"name": "ada"})]
    assert [e.name for e, _ in index.match_path("/projects")] == ["projects"]  # strict-slash redirect
    assert index.match_path("/about") == []  # only the catch-all matches
    assert index.match_path("/") == []
    assert [e.name for e, _ in index.match_path("/static/css/site.css")] == ["static"]


def test_closest_endpoints_prefers_the_same_view_in_a_blueprint(tmp_path: Path) -> None:
    index = build(
        tmp_path,
        {
            "app.py": "from flask import Flask\nfrom auth import bp\n\napp = Flask(__name__)\napp.register_blueprint(bp)\n",
            "auth.py": AUTH,
        },
    )
    assert index.closest_endpoints("login") == ["auth.login"]
    assert index.closest_endpoints("auth.logn") == ["auth.login"]
    assert index.closest_endpoints("zzz") == []


def test_match_path_with_a_variable_first_segment_and_blueprint_prefixes(tmp_path: Path) -> None:
    index = build(
        tmp_path,
        {
            "app.py": """
                from flask import Flask, Blueprint

                i18n = Blueprint("i18n", __name__, url_prefix="/<lang>")

                @i18n.route("/about")
                def about(lang):
                    return lang

                app = Flask(__name__)
                app.register_blueprint(i18n)

                @app.route("/")
                def index():
                    return "home"
            """
        },
    )
    assert [(e.name, v) for e, v in index.match_path("/en/about")] == [("i18n.about", {"lang": "en"})]
    assert [e.name for e, _ in index.match_path("/")] == ["index"]
    assert index.match_path("/en/contact") == []
