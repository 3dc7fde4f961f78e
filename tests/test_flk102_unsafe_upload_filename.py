"""FLK102 unsafe-upload-filename: `FileStorage.save()` under a path built from the client's filename."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

import rule_testing

HEADER = """\
import os
import uuid
from pathlib import Path
from flask import Flask, request

app = Flask(__name__)
UPLOADS = "/srv/uploads"
"""


def findings(project, body: str, header: str = HEADER) -> list[tuple[int, int, int, int, str]]:
    """(line, col, end_line, end_col, message) of FLK102 in `header + body`; lines counted in `body`."""
    diagnostics = project(header + textwrap.dedent(body), select="FLK102")
    return [row[1:] for row in rule_testing.findings(diagnostics, row_offset=header.count("\n"))]


def spans(project, body: str, header: str = HEADER) -> list[tuple[int, int, int, int]]:
    return rule_testing.spans(project(header + textwrap.dedent(body), select="FLK102"), header.count("\n"))


def in_body(statements: str) -> str:
    """Indent the continuation lines of a parametrized statement so they stay inside the view.

    The templates below insert `{statement}` at the function body's indentation; its later lines
    are written relative to the first one.
    """
    return statements.replace("\n", "\n    ")


def view_source(body: str, header: str = HEADER) -> str:
    """`header + body`, checked to be one view: no statement may fall out of the function."""
    source = header + textwrap.dedent(body)
    after_def = source[source.rindex("\ndef ") + 1 :].splitlines()[1:]
    assert all(line.startswith(" ") or not line.strip() for line in after_def), source
    return source


def fixed(tmp_path: Path, source: str) -> str:
    """Apply every FLK102 fix to app.py: the result re-parses, re-lints clean, and nothing else changed."""
    return rule_testing.fixed(tmp_path, {"app.py": source}, "FLK102")


QUICKSTART = """\
from flask import Flask, request

app = Flask(__name__)


@app.route('/upload', methods=['GET', 'POST'])
def upload_file():
    if request.method == 'POST':
        f = request.files['the_file']
        f.save(f"/var/www/uploads/{f.filename}")
    return "ok"
"""


# -- the quickstart ----------------------------------------------------------------------------------
def test_quickstart_upload_example(project) -> None:
    found = [(d.start.row, d.start.column, d.end.row, d.end.column, d.message) for d in project(QUICKSTART, "FLK102")]
    assert found == [
        (
            10,
            35,
            10,
            45,
            "upload filename `f.filename` reaches `f.save()` without `secure_filename()`, so a name like "
            "`../../app.py` writes outside the upload folder: wrap it in `secure_filename()`",
        )
    ]


def test_quickstart_secure_filename_example_is_clean(project) -> None:
    source = QUICKSTART.replace("{f.filename}", "{secure_filename(f.filename)}").replace(
        "from flask import Flask, request\n",
        "from flask import Flask, request\nfrom werkzeug.utils import secure_filename\n",
    )
    assert project(source, "FLK102") == []


def test_quickstart_constant_path_is_clean(project) -> None:
    body = """\
    @app.route("/upload", methods=["POST"])
    def upload_file():
        f = request.files["the_file"]
        f.save("/var/www/uploads/uploaded_file.txt")
    """
    assert spans(project, body) == []


# -- paths built from the filename -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("statement", "span"),
    [
        ("upload.save(os.path.join(UPLOADS, upload.filename))", (4, 38, 4, 53)),
        ("upload.save(UPLOADS + '/' + upload.filename)", (4, 32, 4, 47)),
        ("upload.save(Path(UPLOADS) / upload.filename)", (4, 32, 4, 47)),
        ("upload.save('{}/{}'.format(UPLOADS, upload.filename))", (4, 40, 4, 55)),
        ("upload.save('%s/%s' % (UPLOADS, upload.filename))", (4, 36, 4, 51)),
        ("upload.save(upload.filename)", (4, 16, 4, 31)),
        ("upload.save(dst=os.path.join(UPLOADS, upload.filename.lower()))", (4, 42, 4, 57)),
        ("upload.save(str(Path(UPLOADS).joinpath(upload.filename)))", (4, 43, 4, 58)),
    ],
)
def test_path_forms(project, statement: str, span: tuple[int, int, int, int]) -> None:
    body = f"""\
    @app.post("/upload")
    def upload_file():
        upload = request.files["file"]
        {in_body(statement)}
    """
    view_source(body)
    assert spans(project, body) == [span]


def test_filename_followed_through_variables(project) -> None:
    body = """\
    @app.post("/upload")
    def upload_file():
        upload = request.files.get("file")
        filename = upload.filename
        target = os.path.join(UPLOADS, filename)
        upload.save(target)
    """
    assert spans(project, body) == [(4, 15, 4, 30)]


@pytest.mark.parametrize(
    ("loop", "span"),
    [
        ('for photo in request.files.getlist("photos"):', (4, 41, 4, 55)),
        ('for field, photo in request.files.items():', (4, 41, 4, 55)),
        ('for index, photo in enumerate(request.files.getlist("p")):', (4, 41, 4, 55)),
        ("for photo in request.files.values():", (4, 41, 4, 55)),
    ],
)
def test_uploads_in_loops(project, loop: str, span: tuple[int, int, int, int]) -> None:
    body = f"""\
    @app.post("/photos")
    def photos():
        {loop}
            photo.save(os.path.join(UPLOADS, photo.filename))
    """
    assert spans(project, body) == [span]


def test_indexed_upload_list(project) -> None:
    body = """\
    @app.post("/photos")
    def photos():
        uploads = request.files.getlist("photos")
        uploads[0].save(os.path.join(UPLOADS, uploads[0].filename))
    """
    assert spans(project, body) == [(4, 42, 4, 61)]


def test_directly_indexed_request_files(project) -> None:
    body = """\
    @app.post("/photos")
    def photos():
        request.files["doc"].save(os.path.join(UPLOADS, request.files["doc"].filename))
    """
    assert spans(project, body) == [(3, 52, 3, 81)]


def test_helper_saving_an_upload_passed_by_a_view(project) -> None:
    body = """\
    def store(upload, folder=UPLOADS):
        upload.save(os.path.join(folder, upload.filename))

    @app.post("/a")
    def a():
        store(request.files["a"])

    @app.post("/b")
    def b():
        store(upload=request.files["b"])
    """
    assert spans(project, body) == [(2, 37, 2, 52)]


def test_helper_receiving_the_name_from_the_view(project) -> None:
    body = """\
    def store(upload, name):
        upload.save(os.path.join(UPLOADS, name))

    @app.post("/a")
    def a():
        upload = request.files["a"]
        store(upload, upload.filename)
    """
    assert spans(project, body) == [(7, 18, 7, 33)]


def test_helper_building_the_path(project) -> None:
    body = """\
    def upload_path(name):
        return os.path.join(UPLOADS, name)

    @app.post("/a")
    def a():
        upload = request.files["a"]
        upload.save(upload_path(upload.filename))
    """
    assert spans(project, body) == [(7, 28, 7, 43)]


def test_aliased_request_import(project) -> None:
    header = "import os\nfrom flask import Flask, request as req\n\napp = Flask(__name__)\n"
    body = """\
    @app.post("/a")
    def a():
        f = req.files["a"]
        f.save(os.path.join("up", f.filename))
    """
    assert spans(project, body, header) == [(4, 30, 4, 40)]


def test_one_diagnostic_per_filename_expression(project) -> None:
    body = """\
    @app.post("/a")
    def a():
        f = request.files["a"]
        name = f.filename
        f.save(os.path.join(UPLOADS, name))
        f.save(os.path.join(UPLOADS, "backup", name))
    """
    assert spans(project, body) == [(4, 11, 4, 21)]


# -- what is not reported ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "statements",
    [
        "upload.save(os.path.join(UPLOADS, secure_filename(upload.filename)))",
        "name = secure_filename(upload.filename)\n    upload.save(os.path.join(UPLOADS, name))",
        "upload.save(safe_join(UPLOADS, upload.filename))",
        "upload.save(os.path.join(UPLOADS, uuid.uuid4().hex))",
        "upload.save(os.path.join(UPLOADS, os.path.basename(upload.filename)))",
        "upload.save(os.path.join(UPLOADS, uuid.uuid4().hex + os.path.splitext(upload.filename)[1]))",
        "upload.save(os.path.join(UPLOADS, uuid.uuid4().hex + Path(upload.filename).suffix))",
        "app.logger.info('upload %s', upload.filename)\n    upload.save(os.path.join(UPLOADS, 'fixed.bin'))",
        "if not upload.filename.endswith('.png'):\n        abort(400)\n    upload.save(os.path.join(UPLOADS, 'x.png'))",
        "upload.save(os.path.join(UPLOADS, request.form['name']))",
        "upload.save(os.path.join(UPLOADS, str(len(upload.filename))))",
    ],
)
def test_safe_names(project, statements: str) -> None:
    header = HEADER + "from flask import abort\nfrom werkzeug.utils import safe_join, secure_filename\n"
    body = f"""\
    @app.post("/upload")
    def upload_file():
        upload = request.files["file"]
        {in_body(statements)}
    """
    view_source(body, header)
    assert spans(project, body, header) == []


def test_save_on_objects_that_are_not_uploads(project) -> None:
    body = """\
    @app.post("/a")
    def a():
        name = request.files["a"].filename
        image = open_image(request.files["a"])
        image.save(os.path.join(UPLOADS, name))
        db.session.save(name)
    """
    assert spans(project, body) == []


def test_filename_sanitised_before_a_later_save(project) -> None:
    body = """\
    from werkzeug.utils import secure_filename

    @app.post("/a")
    def a():
        f = request.files["a"]
        filename = f.filename
        filename = secure_filename(filename)
        f.save(os.path.join(UPLOADS, filename))
    """
    assert spans(project, body) == []


def test_diagnostic_metadata(project) -> None:
    (diagnostic,) = project(QUICKSTART, "FLK102")
    assert diagnostic.severity.value == "error"
    assert diagnostic.fix is not None and diagnostic.fix.applicability.value == "unsafe"


# -- the fix ------------------------------------------------------------------------------------------------
def test_fix_quickstart_example(tmp_path: Path) -> None:
    assert fixed(tmp_path, QUICKSTART) == (
        "from flask import Flask, request\n"
        "from werkzeug.utils import secure_filename\n"
        "\n"
        "app = Flask(__name__)\n"
        "\n"
        "\n"
        "@app.route('/upload', methods=['GET', 'POST'])\n"
        "def upload_file():\n"
        "    if request.method == 'POST':\n"
        "        f = request.files['the_file']\n"
        '        f.save(f"/var/www/uploads/{secure_filename(f.filename)}")\n'
        '    return "ok"\n'
    )


def test_fix_at_the_origin_reuses_the_import(tmp_path: Path) -> None:
    source = textwrap.dedent(
        """\
        import os

        from flask import Flask, request
        from werkzeug.utils import secure_filename

        app = Flask(__name__)


        @app.post("/photos")
        def photos():
            for photo in request.files.getlist("photos"):
                name = photo.filename
                photo.save(os.path.join("uploads", name))
            return "ok"
        """
    )
    assert fixed(tmp_path, source) == source.replace("name = photo.filename", "name = secure_filename(photo.filename)")


def test_fix_with_an_aliased_import(tmp_path: Path) -> None:
    source = textwrap.dedent(
        """\
        from flask import Flask, request
        from werkzeug.utils import secure_filename as clean

        app = Flask(__name__)


        @app.post("/a")
        def a():
            f = request.files["a"]
            f.save("uploads/" + f.filename)
            return "ok"
        """
    )
    assert fixed(tmp_path, source) == source.replace('"uploads/" + f.filename', '"uploads/" + clean(f.filename)')


def test_fix_inside_a_helper(tmp_path: Path) -> None:
    source = textwrap.dedent(
        """\
        from flask import Flask, request

        app = Flask(__name__)


        def store(upload):
            upload.save("uploads/" + upload.filename)


        @app.post("/a")
        def a():
            store(request.files["a"])
            return "ok"
        """
    )
    assert fixed(tmp_path, source) == (
        source.replace('upload.filename)', 'secure_filename(upload.filename))').replace(
            "from flask import Flask, request\n",
            "from flask import Flask, request\nfrom werkzeug.utils import secure_filename\n",
        )
    )


def test_no_fix_when_the_name_is_taken(project) -> None:
    body = """\
    def secure_filename(name):
        return name

    @app.post("/a")
    def a():
        f = request.files["a"]
        f.save("uploads/" + f.filename)
    """
    (diagnostic,) = project(HEADER + textwrap.dedent(body), "FLK102")
    assert diagnostic.fix is None
