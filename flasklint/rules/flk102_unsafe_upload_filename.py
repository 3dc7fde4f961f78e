from __future__ import annotations

from typing import Iterable

import libcst as cst

from flasklint.diagnostics import Applicability, Diagnostic, Fix, Severity
from flasklint.edits import add_import_edit, wrap_node
from flasklint.model.dataflow import ModuleDataflow, TaintAnalysis
from flasklint.model.module import ModuleModel
from flasklint.model.uploads import unsafe_saves
from flasklint.rule import Case, FileRule, Finding

SECURE_FILENAME = "werkzeug.utils.secure_filename"


class UnsafeUploadFilename(FileRule):
    """
    ## What it does
    Reports `FileStorage.save(path)` for an upload from `request.files` where the path is (or is
    built with `os.path.join`, pathlib's `/`, `+`, an f-string or `.format()` from) the upload's
    `.filename` without `secure_filename()`. It follows the upload and the name through
    variables, loops over `request.files.getlist(...)` and helper functions of the same module.
    A Flask-WTF upload counts too (`form.photo.data`, the `FileStorage` of a `FileField` or
    `MultipleFileField`) when the form class is defined in the same module.

    ## Why is this bad?
    The filename is whatever the client sends: Werkzeug keeps it verbatim. A name such as
    `../../app.py` or `/etc/cron.d/job` makes `save()` write outside the upload folder
    (`os.path.join("/srv/uploads", "/etc/x")` is `/etc/x`): path traversal, often remote code
    execution. The Flask quickstart warns: never trust the filename, pass it through
    `secure_filename()`.

    Names that cannot climb out of the folder are not reported: `secure_filename(f.filename)`,
    `safe_join(...)`, a generated name such as `uuid4().hex`, `os.path.basename(...)`, and an
    extension taken with `os.path.splitext(f.filename)[1]`.

    ## Example
    ```python
    from flask import Flask, request

    app = Flask(__name__)

    @app.route("/upload", methods=["POST"])
    def upload_file():
        f = request.files["the_file"]
        f.save(f"/var/www/uploads/{f.filename}")
    ```

    ## Use instead
    ```python
    from flask import Flask, request
    from werkzeug.utils import secure_filename

    app = Flask(__name__)

    @app.route("/upload", methods=["POST"])
    def upload_file():
        f = request.files["the_file"]
        f.save(f"/var/www/uploads/{secure_filename(f.filename)}")
    ```

    ## Fix safety
    The fix wraps the `.filename` expression in `secure_filename()` and imports it from
    `werkzeug.utils`. It is unsafe: the stored name changes (non-ASCII characters are dropped,
    spaces become `_`), other code may rely on the original name, and `secure_filename()` can
    return an empty string (`".."` -> `""`), so also check the result before saving. No fix is
    offered when the name `secure_filename` is already bound to something else.
    """

    code = "FLK102"
    name = "unsafe-upload-filename"
    summary = "Upload saved under a path built from its client-supplied filename"
    severity = Severity.ERROR
    fix_availability = "unsafe"
    kinds = frozenset({"python"})
    invalid = [
        Case(
            '''
from flask import Flask, request

app = Flask(__name__)

@app.route("/upload", methods=["POST"])
def upload_file():
    f = request.files["the_file"]
    f.save(f"/var/www/uploads/{f.filename}")
''',
            Finding(
                (9, 31, 9, 41),
                "upload filename `f.filename` reaches `f.save()` without `secure_filename()`, so a name "
                "like `../../app.py` writes outside the upload folder: wrap it in `secure_filename()`",
                fix="unsafe",
            ),
            fixed={
                "app.py": '''
from flask import Flask, request
from werkzeug.utils import secure_filename

app = Flask(__name__)

@app.route("/upload", methods=["POST"])
def upload_file():
    f = request.files["the_file"]
    f.save(f"/var/www/uploads/{secure_filename(f.filename)}")
''',
            },
        ),
        Case(
            '''
import os
from flask import Flask, request

app = Flask(__name__)

@app.post("/photos")
def photos():
    for photo in request.files.getlist("photos"):
        path = os.path.join(app.config["UPLOAD_FOLDER"], photo.filename)
        photo.save(path)
    return "ok"
''',
            Finding(
                (10, 57, 10, 71),
                "upload filename `photo.filename` reaches `photo.save()` without `secure_filename()`, so a "
                "name like `../../app.py` writes outside the upload folder: wrap it in `secure_filename()`",
                fix="unsafe",
            ),
            fixed={
                "app.py": '''
import os
from flask import Flask, request
from werkzeug.utils import secure_filename

app = Flask(__name__)

@app.post("/photos")
def photos():
    for photo in request.files.getlist("photos"):
        path = os.path.join(app.config["UPLOAD_FOLDER"], secure_filename(photo.filename))
        photo.save(path)
    return "ok"
''',
            },
        ),
        Case(
            '''
from pathlib import Path
from flask import Flask, request

app = Flask(__name__)
UPLOADS = Path("uploads")

def store(upload):
    upload.save(UPLOADS / upload.filename)

@app.post("/avatar")
def avatar():
    store(request.files["avatar"])
    return "ok"
''',
            Finding(
                (9, 26, 9, 41),
                "upload filename `upload.filename` reaches `upload.save()` without `secure_filename()`, so "
                "a name like `../../app.py` writes outside the upload folder: wrap it in "
                "`secure_filename()`",
                fix="unsafe",
            ),
            fixed={
                "app.py": '''
from pathlib import Path
from flask import Flask, request
from werkzeug.utils import secure_filename

app = Flask(__name__)
UPLOADS = Path("uploads")

def store(upload):
    upload.save(UPLOADS / secure_filename(upload.filename))

@app.post("/avatar")
def avatar():
    store(request.files["avatar"])
    return "ok"
''',
            },
        ),
        Case(
            '''
import os
from flask import Flask
from flask_wtf import FlaskForm
from flask_wtf.file import FileField

app = Flask(__name__)

class PhotoForm(FlaskForm):
    photo = FileField()

@app.post("/upload")
def upload():
    form = PhotoForm()
    f = form.photo.data
    f.save(os.path.join("/srv/uploads", f.filename))
    return "ok"
''',
            Finding(
                (16, 40, 16, 50),
                "upload filename `f.filename` reaches `f.save()` without `secure_filename()`, so a name "
                "like `../../app.py` writes outside the upload folder: wrap it in `secure_filename()`",
                fix="unsafe",
            ),
            fixed={
                "app.py": '''
import os
from flask import Flask
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from werkzeug.utils import secure_filename

app = Flask(__name__)

class PhotoForm(FlaskForm):
    photo = FileField()

@app.post("/upload")
def upload():
    form = PhotoForm()
    f = form.photo.data
    f.save(os.path.join("/srv/uploads", secure_filename(f.filename)))
    return "ok"
''',
            },
        ),
    ]
    valid = [
        '''
from flask import Flask, request
from werkzeug.utils import secure_filename

app = Flask(__name__)

@app.route("/upload", methods=["POST"])
def upload_file():
    file = request.files["the_file"]
    file.save(f"/var/www/uploads/{secure_filename(file.filename)}")
''',
        '''
import os
import uuid
from flask import Flask, abort, request

app = Flask(__name__)

@app.post("/upload")
def upload():
    f = request.files["file"]
    extension = os.path.splitext(f.filename)[1]
    if extension not in {".png", ".jpg"}:
        app.logger.warning("rejected upload %s", f.filename)
        abort(400)
    f.save(os.path.join("uploads", uuid.uuid4().hex + extension))
    return "ok"
''',
        '''
from flask import Flask, request
from werkzeug.utils import safe_join

app = Flask(__name__)

@app.post("/upload")
def upload():
    f = request.files["file"]
    target = safe_join("uploads", f.filename)
    if target is None:
        return "bad name", 400
    f.save(target)
    return "ok"
''',
        '''
from flask import Flask, request
from werkzeug.utils import secure_filename

app = Flask(__name__)

@app.route("/upload", methods=["POST"])
def upload_file():
    f = request.files["the_file"]
    f.save(f"/var/www/uploads/{secure_filename(f.filename)}")
''',
    ]

    def check_module(self, model: ModuleModel) -> Iterable[Diagnostic]:
        for unsafe in unsafe_saves(model):
            yield self._diagnostic(model, unsafe.analysis, unsafe.save, unsafe.origin)

    def _diagnostic(
        self, model: ModuleModel, analysis: TaintAnalysis, save: cst.Call, origin: cst.BaseExpression
    ) -> Diagnostic:
        receiver = model.code(save.func.value).strip()  # type: ignore[attr-defined]
        name = model.code(origin).strip()
        message = (
            f"upload filename `{name}` reaches `{receiver}.save()` without `secure_filename()`, so a name like "
            f"`../../app.py` writes outside the upload folder: wrap it in `secure_filename()`"
        )
        fix = _secure_fix(model, analysis.dataflow, origin)
        return self.diagnostic(model.path, model.span(origin), message, fix=fix)


def _secure_fix(model: ModuleModel, dataflow: ModuleDataflow, origin: cst.BaseExpression) -> Fix | None:
    function = dataflow.function_at(origin)
    reference = dataflow.reference(function, SECURE_FILENAME) if function is not None else None
    if reference is None:
        return None
    name, needs_import = reference
    edit = wrap_node(model, origin, name)
    import_edit = add_import_edit(model, "werkzeug.utils", "secure_filename") if needs_import else None
    edits = (edit,) if import_edit is None else (edit, import_edit)
    return Fix("Wrap the filename in `secure_filename()`", edits, Applicability.UNSAFE)
