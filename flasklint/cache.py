"""Content-hash keyed cache of per-file facts (with the file-scope rules' results) in .flasklint_cache/.

Entries are JSON, never pickle: the cache sits inside the analysed repository, and loading a pickle
an untrusted repo ships would execute code. A key covers the file's bytes, its path and module name,
and a fingerprint of flasklint's own code, so an upgrade or a local edit invalidates everything.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import threading
from functools import lru_cache
from pathlib import Path

import flasklint
from flasklint.model.facts import FileFacts

CACHE_DIR_NAME = ".flasklint_cache"


@lru_cache(maxsize=1)
def engine_fingerprint() -> str:
    """Hash of flasklint's own sources: results computed by other code must not be reused."""
    digest = hashlib.sha256(flasklint.__version__.encode())
    package = Path(flasklint.__file__).parent
    for path in sorted(package.rglob("*.py")):
        stat = path.stat()
        digest.update(f"{path.relative_to(package)}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:16]


def cache_key(data: bytes, relative_path: str, module: str, extra: str = "") -> str:
    digest = hashlib.sha256(data)
    digest.update(b"\0" + relative_path.encode() + b"\0" + module.encode() + b"\0" + extra.encode())
    return digest.hexdigest()


_TEMPLATE = FileFacts(path="", module="", kind="")


def _well_formed(facts: FileFacts) -> bool:
    """Each top-level field has the type it is declared with (a damaged entry must not reach the index)."""
    for item in dataclasses.fields(facts):
        default = getattr(_TEMPLATE, item.name)
        if default is not None and not isinstance(getattr(facts, item.name), type(default)):
            return False
    return True


class Cache:
    def __init__(self, root: Path) -> None:
        self.directory = root / CACHE_DIR_NAME / engine_fingerprint()
        self._ready = False

    def get(self, key: str) -> FileFacts | None:
        """The cached facts, or None when absent or unusable (a corrupt entry is a cache miss)."""
        path = self.directory / key[:2] / f"{key}.json"
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict):
            return None
        try:
            facts = FileFacts.from_dict(data)
        except Exception:  # noqa: BLE001 - whatever shape a damaged or foreign entry has, recompute
            return None
        return facts if _well_formed(facts) else None

    def put(self, key: str, facts: FileFacts) -> None:
        """Best effort: a read-only checkout simply runs uncached."""
        try:
            text = json.dumps(facts.to_dict(), separators=(",", ":"))
        except (TypeError, ValueError):
            return  # a rule put something JSON cannot hold into its data: recompute next time
        temporary = self.directory / key[:2] / f".{key}.{os.getpid()}.{threading.get_ident()}.tmp"
        try:
            self._prepare()
            temporary.parent.mkdir(exist_ok=True)
            temporary.write_text(text, encoding="utf-8")
            os.replace(temporary, temporary.parent / f"{key}.json")
        except OSError:
            with contextlib.suppress(OSError):
                temporary.unlink()

    def _prepare(self) -> None:
        if self._ready:
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        marker = self.directory.parent / "CACHEDIR.TAG"
        if not marker.exists():
            marker.write_text("Signature: 8a477f597d28d172789f06886806bc55\n# flasklint cache\n", encoding="utf-8")
        ignore = self.directory.parent / ".gitignore"
        if not ignore.exists():
            ignore.write_text("*\n", encoding="utf-8")
        self._ready = True
