"""Write a large, deterministic Flask project for the benchmark: an app factory, one blueprint per
shop area (views, forms, models, services), templates, a config class and a Dockerfile.

The code is shaped like a real app rather than like noise: routes with converters, `url_for`
across blueprints, `render_template`, request handling, sessions and config. About one area in
ten carries a pitfall (an unescaped echo, a hardcoded URL), so the run also reports diagnostics.
Models and forms do not mention Flask, as in real projects: flasklint may skip them unparsed.
"""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

MODULES_PER_AREA = 5  # __init__, views, forms, models, services
RESOURCES = (
    "product", "order", "invoice", "customer", "shipment", "review", "coupon", "ticket",
    "supplier", "warehouse", "payment", "refund", "category", "campaign", "voucher", "subscription",
)


def _views(area: str, resources: tuple[str, ...], pitfall: bool) -> str:
    parts = [
        textwrap.dedent(
            f'''\
            """Views of the {area} area."""

            from flask import abort, flash, jsonify, redirect, render_template, request, session, url_for
            from markupsafe import escape

            from shop.{area} import bp
            from shop.{area}.forms import validate
            from shop.{area}.services import Repository

            repository = Repository()
            '''
        )
    ]
    for resource in resources:
        parts.append(
            textwrap.dedent(
                f'''

                @bp.route("/{resource}s/")
                def list_{resource}s():
                    page = request.args.get("page", 1, type=int)
                    query = request.args.get("q", "")
                    items = repository.search("{resource}", query, page=page)
                    if not items and page > 1:
                        return redirect(url_for(".list_{resource}s", page=page - 1))
                    return render_template(
                        "{area}/list.html",
                        items=items,
                        query=query,
                        page=page,
                        kind="{resource}",
                    )


                @bp.route("/{resource}s/<int:item_id>")
                def show_{resource}(item_id):
                    item = repository.get("{resource}", item_id)
                    if item is None:
                        abort(404)
                    session["last_{resource}"] = item_id
                    return render_template("{area}/detail.html", item=item, kind="{resource}")


                @bp.route("/{resource}s/new", methods=["GET", "POST"])
                def create_{resource}():
                    errors = {{}}
                    if request.method == "POST":
                        data = request.form.to_dict()
                        errors = validate("{resource}", data)
                        if not errors:
                            item_id = repository.add("{resource}", data)
                            flash("Saved.")
                            return redirect(url_for(".show_{resource}", item_id=item_id))
                    return render_template("{area}/form.html", errors=errors, kind="{resource}")


                @bp.route("/{resource}s/<int:item_id>/edit", methods=["GET", "POST"])
                def edit_{resource}(item_id):
                    item = repository.get("{resource}", item_id) or abort(404)
                    errors = {{}}
                    if request.method == "POST":
                        data = request.form.to_dict()
                        errors = validate("{resource}", data)
                        if not errors:
                            repository.update("{resource}", item_id, data)
                            return redirect(url_for(".show_{resource}", item_id=item_id))
                    return render_template("{area}/form.html", item=item, errors=errors, kind="{resource}")


                @bp.post("/{resource}s/<int:item_id>/delete")
                def delete_{resource}(item_id):
                    repository.delete("{resource}", item_id)
                    flash("Deleted.")
                    return redirect(url_for(".list_{resource}s"))


                @bp.get("/api/{resource}s/<int:item_id>")
                def api_{resource}(item_id):
                    item = repository.get("{resource}", item_id)
                    if item is None:
                        return jsonify(error="not found", id=item_id), 404
                    return jsonify(item)


                @bp.route("/{resource}s/<slug>/preview")
                def preview_{resource}(slug):
                    note = request.args.get("note", "")
                    return f"<p>Preview of {{escape(slug)}}: {{escape(note)}}</p>"
                '''
            )
        )
    if pitfall:
        parts.append(
            textwrap.dedent(
                f'''

                @bp.route("/echo")
                def echo():
                    message = request.args.get("message", "")
                    return f"<p>{{message}}</p>"


                @bp.route("/legacy")
                def legacy():
                    return redirect("/{area}/{resources[0]}s/")
                '''
            )
        )
    return "".join(parts)


def _forms(resources: tuple[str, ...]) -> str:
    parts = ['"""Input validation (plain Python: no web framework involved)."""\n\nimport re\n\n']
    parts.append("EMAIL = re.compile(r\"^[^@\\s]+@[^@\\s]+\\.[a-z]{2,}$\")\n")
    for resource in resources:
        parts.append(
            textwrap.dedent(
                f'''

                def validate_{resource}(data):
                    """Field errors of a {resource}; empty when valid."""
                    errors = {{}}
                    name = data.get("name", "").strip()
                    if not name:
                        errors["name"] = "A name is required."
                    elif len(name) > 120:
                        errors["name"] = "Keep the name under 120 characters."
                    email = data.get("email", "")
                    if email and not EMAIL.match(email):
                        errors["email"] = "This does not look like an email address."
                    for field in ("quantity", "price"):
                        value = data.get(field, "")
                        if value:
                            try:
                                number = float(value)
                            except ValueError:
                                errors[field] = "Enter a number."
                                continue
                            if number < 0:
                                errors[field] = "Must not be negative."
                    notes = data.get("notes", "")
                    if len(notes) > 2000:
                        errors["notes"] = "Notes are limited to 2000 characters."
                    return errors


                def normalize_{resource}(data):
                    """The {resource}'s fields, trimmed and typed, ready for storage."""
                    clean = {{key: value.strip() for key, value in data.items() if isinstance(value, str)}}
                    clean["email"] = clean.get("email", "").lower()
                    for field in ("quantity", "price"):
                        clean[field] = float(clean.get(field) or 0)
                    clean["tags"] = sorted({{tag.strip() for tag in clean.get("tags", "").split(",") if tag.strip()}})
                    return clean
                '''
            )
        )
    table = ", ".join(f'"{r}": validate_{r}' for r in resources)
    parts.append(f"\n\nVALIDATORS = {{{table}}}\n\n\ndef validate(kind, data):\n    return VALIDATORS[kind](data)\n")
    return "".join(parts)


def _models(resources: tuple[str, ...]) -> str:
    parts = [
        '"""Data classes and their storage rows."""\n\n'
        "from dataclasses import dataclass, field\nfrom datetime import datetime\n\n"
    ]
    for resource in resources:
        name = resource.capitalize()
        parts.append(
            textwrap.dedent(
                f'''

                @dataclass
                class {name}:
                    id: int
                    name: str
                    email: str = ""
                    quantity: float = 0.0
                    price: float = 0.0
                    notes: str = ""
                    tags: list = field(default_factory=list)
                    created: datetime = field(default_factory=datetime.now)

                    @property
                    def total(self):
                        return round(self.quantity * self.price, 2)

                    def to_row(self):
                        return (self.id, self.name, self.email, self.quantity, self.price, self.notes)

                    @classmethod
                    def from_row(cls, row):
                        id_, name, email, quantity, price, notes = row
                        return cls(id_, name, email, float(quantity), float(price), notes)

                    def matches(self, text):
                        text = text.lower()
                        return text in self.name.lower() or text in self.notes.lower() or any(
                            text in tag.lower() for tag in self.tags
                        )
                '''
            )
        )
    return "".join(parts)


def _services(area: str, resources: tuple[str, ...]) -> str:
    classes = ", ".join(r.capitalize() for r in resources)
    table = ", ".join(f'"{r}": {r.capitalize()}' for r in resources)
    return textwrap.dedent(
        f'''\
        """Storage for the {area} area, with a little caching through the app's config."""

        from flask import current_app

        from shop.{area}.models import {classes}

        KINDS = {{{table}}}


        class Repository:
            def __init__(self):
                self._rows = {{kind: {{}} for kind in KINDS}}
                self._next_id = 1

            def search(self, kind, text="", page=1, per_page=None):
                per_page = per_page or current_app.config.get("PER_PAGE", 20)
                items = [item for item in self._rows[kind].values() if not text or item.matches(text)]
                items.sort(key=lambda item: item.created, reverse=True)
                start = (page - 1) * per_page
                return items[start : start + per_page]

            def get(self, kind, item_id):
                return self._rows[kind].get(item_id)

            def add(self, kind, data):
                item_id = self._next_id
                self._next_id += 1
                self._rows[kind][item_id] = KINDS[kind](item_id, data.get("name", ""), data.get("email", ""))
                current_app.logger.info("added %s %s", kind, item_id)
                return item_id

            def update(self, kind, item_id, data):
                item = self._rows[kind][item_id]
                for key, value in data.items():
                    if hasattr(item, key):
                        setattr(item, key, value)
                return item

            def delete(self, kind, item_id):
                self._rows[kind].pop(item_id, None)
        '''
    ) + "".join(_export(resource) for resource in resources)


def _export(resource: str) -> str:
    return textwrap.dedent(
        f'''

        def export_{resource}s_csv(repository, text=""):
            """{resource.capitalize()}s as CSV rows, for the nightly report."""
            rows = [("id", "name", "email", "quantity", "price", "total")]
            for item in repository.search("{resource}", text, per_page=10_000):
                rows.append((item.id, item.name, item.email, item.quantity, item.price, item.total))
            limit = current_app.config.get("EXPORT_LIMIT")
            if limit:
                rows = rows[: limit + 1]
            return "\\n".join(",".join(str(cell) for cell in row) for row in rows)
        '''
    )


def _templates(area: str, pitfall: bool) -> dict[str, str]:
    hardcoded = f'<a href="/{area}/product' + 's/">All products</a>' if pitfall else ""
    return {
        f"{area}/list.html": textwrap.dedent(
            f"""\
            {{% extends "base.html" %}}
            {{% block content %}}
              <h1>{{{{ kind|title }}}}s</h1>
              <form action="{{{{ url_for(request.endpoint) }}}}"><input name="q" value="{{{{ query }}}}"></form>
              <ul>
              {{% for item in items %}}
                <li><a href="{{{{ url_for('.show_' ~ kind, item_id=item.id) }}}}">{{{{ item.name }}}}</a></li>
              {{% else %}}
                <li>Nothing yet.</li>
              {{% endfor %}}
              </ul>
              <a href="{{{{ url_for('.list_' ~ kind ~ 's', page=page + 1) }}}}">Next page</a>
              {hardcoded}
            {{% endblock %}}
            """
        ),
        f"{area}/detail.html": textwrap.dedent(
            """\
            {% extends "base.html" %}
            {% block content %}
              <h1>{{ item.name }}</h1>
              <dl>
                <dt>Email</dt><dd>{{ item.email }}</dd>
                <dt>Total</dt><dd>{{ "%.2f"|format(item.total) }}</dd>
              </dl>
              <a href="{{ url_for('.edit_' ~ kind, item_id=item.id) }}">Edit</a>
            {% endblock %}
            """
        ),
        f"{area}/form.html": textwrap.dedent(
            """\
            {% extends "base.html" %}
            {% block content %}
              <form method="post">
                {% for field in ["name", "email", "quantity", "price", "notes"] %}
                  <label>{{ field|title }} <input name="{{ field }}" value="{{ item[field] if item else '' }}"></label>
                  {% if errors.get(field) %}<p class="error">{{ errors[field] }}</p>{% endif %}
                {% endfor %}
                <button>Save</button>
              </form>
            {% endblock %}
            """
        ),
    }


APP_FACTORY = '''\
"""The application factory: configuration, blueprints, and the shared layout."""

from flask import Flask, render_template

from shop.config import Config


def create_app(config=Config):
    app = Flask(__name__)
    app.config.from_object(config)
{registrations}
    @app.route("/")
    def index():
        return render_template("index.html")

    return app
'''

CONFIG = '''\
"""Settings read from the environment."""

import os


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY")
    PER_PAGE = int(os.environ.get("PER_PAGE", "20"))
    SESSION_COOKIE_SECURE = True
'''

BASE_HTML = """\
<!doctype html>
<html lang="en">
<head><link rel="stylesheet" href="{{ url_for('static', filename='site.css') }}"></head>
<body>
  <nav><a href="{{ url_for('index') }}">Home</a></nav>
  {% for message in get_flashed_messages() %}<p class="flash">{{ message }}</p>{% endfor %}
  {% block content %}{% endblock %}
</body>
</html>
"""


def generate(target: Path, modules: int = 200, resources_per_view: int = len(RESOURCES)) -> Path:
    """(Re)write the project under target; returns target. `modules` is rounded to whole areas."""
    if target.exists():
        shutil.rmtree(target)
    areas = [f"area{number:03d}" for number in range(max(1, modules // MODULES_PER_AREA))]
    resources = RESOURCES[:resources_per_view]
    files: dict[str, str] = {
        "pyproject.toml": '[project]\nname = "shop"\nversion = "1.0"\ndependencies = ["flask"]\n',
        "wsgi.py": "from shop import create_app\n\napp = create_app()\n",
        "Dockerfile": "FROM python:3.12-slim\nCOPY . /app\nCMD gunicorn --bind 0.0.0.0:8000 wsgi:app\n",
        "shop/config.py": CONFIG,
        "shop/templates/base.html": BASE_HTML,
        "shop/templates/index.html": '{% extends "base.html" %}{% block content %}<h1>Shop</h1>{% endblock %}\n',
        "shop/static/site.css": "body { margin: 0 }\n",
    }
    registrations = []
    for number, area in enumerate(areas):
        pitfall = number % 10 == 3
        package = f"shop/{area}"
        files[f"{package}/__init__.py"] = (
            f'from flask import Blueprint\n\nbp = Blueprint("{area}", __name__, url_prefix="/{area}", '
            f'template_folder="templates")\n\nfrom shop.{area} import views  # noqa: E402,F401\n'
        )
        files[f"{package}/views.py"] = _views(area, resources, pitfall)
        files[f"{package}/forms.py"] = _forms(resources)
        files[f"{package}/models.py"] = _models(resources)
        files[f"{package}/services.py"] = _services(area, resources)
        for name, text in _templates(area, pitfall).items():
            files[f"{package}/templates/{name}"] = text
        registrations.append(f"    from shop.{area} import bp as {area}_bp\n    app.register_blueprint({area}_bp)\n")
    files["shop/__init__.py"] = APP_FACTORY.format(registrations="".join(registrations))
    for relative, text in files.items():
        path = target / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return target
