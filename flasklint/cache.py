"""Content-hash keyed cache of per-file facts (with the file-scope rules' results) in .flasklint_cache/.

Entries are JSON, never pickle: the cache sits inside the analysed repository, and loading a pickle
an untrusted repo ships would execute code. A key covers the file's bytes, its path and module name,
and a fingerprint of flasklint's own code, so an upgrade or a local edit invalidates everything.
"""

from __future__ import annotations

import hashlib
import json
import os
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


class Cache:
    def __init__(self, root: Path) -> None:
        self.directory = root / CACHE_DIR_NAME / engine_fingerprint()
        self._ready = False

    def get(self, key: str) -> FileFacts | None:
        path = self.directory / key[:2] / f"{key}.json"
        try:
            return FileFacts.from_dict(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError, KeyError):
            return None

    def put(self, key: str, facts: FileFacts) -> None:
        """Best effort: a read-only checkout simply runs uncached."""
        try:
            self._prepare()
            folder = self.directory / key[:2]
            folder.mkdir(exist_ok=True)
            temporary = folder / f".{key}.{os.getpid()}.tmp"
            temporary.write_text(json.dumps(facts.to_dict(), separators=(",", ":")), encoding="utf-8")
            os.replace(temporary, folder / f"{key}.json")
        except OSError:
            pass

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
