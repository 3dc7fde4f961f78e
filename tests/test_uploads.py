"""Uploads saved under their own name: which `.filename` reaches which `save()`, read from the model alone."""

from __future__ import annotations

import textwrap

import libcst as cst
import pytest

from flasklint.model.traversal import build_model
from flasklint.model.uploads import unsafe_saves
from flasklint.source import parse_source

HEADER = """\
import os
from flask import Flask, request
from werkzeug.utils import secure_filename

app = Flask(__name__)
"""


def saves(source: str) -> list[tuple[str, str, int]]:
    """(save call, filename expression, line of the filename) of each unsafe save, in order."""
    text = HEADER + textwrap.dedent(source)
    tree = parse_source(text)
    assert isinstance(tree, cst.Module)
    model = build_model("app.py", "app", False, text, tree)
    return [
        (model.code(u.save).strip(), model.code(u.origin).strip(), model.span(u.origin)[0] - HEADER.count("\n"))
        for u in unsafe_saves(model)
    ]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            """
            @app.post("/up")
            def up():
                f = request.files["file"]
                f.save(os.path.join("/srv/uploads", f.filename))
            """,
            [('f.save(os.path.join("/srv/uploads", f.filename))', "f.filename", 5)],
        ),
        (  # a helper sees the upload through its caller's argument; the filename is reported once
            """
            def store(upload):
                upload.save("/srv/" + upload.filename)

            @app.post("/a")
            def a():
                store(request.files["a"])

            @app.post("/b")
            def b():
                store(request.files["b"])
            """,
            [('upload.save("/srv/" + upload.filename)', "upload.filename", 3)],
        ),
        (
            """
            @app.post("/two")
            def two():
                first, second = request.files["x"], request.files["y"]
                first.save(f"/srv/{second.filename}-{first.filename}")
            """,
            [
                ('first.save(f"/srv/{second.filename}-{first.filename}")', "first.filename", 5),
                ('first.save(f"/srv/{second.filename}-{first.filename}")', "second.filename", 5),
            ],
        ),
        (
            """
            @app.post("/safe")
            def safe():
                f = request.files["file"]
                f.save(os.path.join("/srv/uploads", secure_filename(f.filename)))
            """,
            [],
        ),
        (  # not an upload: a model's save() with a name from the form
            """
            @app.post("/doc")
            def doc():
                document.save(request.form["name"])
            """,
            [],
        ),
    ],
)
def test_unsafe_saves(source: str, expected: list[tuple[str, str, int]]) -> None:
    assert saves(source) == expected


FORMS = """\
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, MultipleFileField
from wtforms import StringField
import wtforms

class PhotoForm(FlaskForm):
    photo = FileField()
    album = MultipleFileField()
    caption = StringField()
    scan = wtforms.FileField()

"""


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            """
            @app.post("/a")
            def a():
                form = PhotoForm()
                if form.validate_on_submit():
                    f = form.photo.data
                    f.save(os.path.join("/srv/uploads", f.filename))
            """,
            [('f.save(os.path.join("/srv/uploads", f.filename))', "f.filename", 18)],
        ),
        (  # the field's data used in place, a MultipleFileField's list, a plain WTForms FileField
            """
            @app.post("/b")
            def b():
                form = PhotoForm(request.form)
                form.scan.data.save("/srv/" + form.scan.data.filename)
                for page in form.album.data:
                    page.save(f"/srv/{page.filename}")
            """,
            [
                ('form.scan.data.save("/srv/" + form.scan.data.filename)', "form.scan.data.filename", 16),
                ('page.save(f"/srv/{page.filename}")', "page.filename", 18),
            ],
        ),
        (  # a helper saving the field's data its caller passes
            """
            def store(upload):
                upload.save("/srv/" + upload.filename)

            @app.post("/c")
            def c():
                form = PhotoForm()
                store(form.photo.data)
            """,
            [('upload.save("/srv/" + upload.filename)', "upload.filename", 14)],
        ),
        (  # sanitised; a text field's data; a form made elsewhere (its fields unknown); an unknown class
            """
            @app.post("/d")
            def d(other):
                form = PhotoForm()
                f = form.photo.data
                f.save(os.path.join("/srv", secure_filename(f.filename)))
                form.caption.data.save("/srv/" + form.caption.data.filename)
                other.photo.data.save("/srv/" + other.photo.data.filename)
                unknown = UploadForm()
                unknown.photo.data.save("/srv/" + unknown.photo.data.filename)
            """,
            [],
        ),
    ],
)
def test_flask_wtf_file_fields_are_uploads(source: str, expected: list[tuple[str, str, int]]) -> None:
    assert saves(FORMS + textwrap.dedent(source)) == expected


def test_a_file_field_of_a_form_in_another_module_is_not_seen() -> None:
    source = """
    from myapp.forms import PhotoForm

    @app.post("/a")
    def a():
        form = PhotoForm()
        f = form.photo.data
        f.save(os.path.join("/srv/uploads", f.filename))
    """
    assert saves(source) == []
