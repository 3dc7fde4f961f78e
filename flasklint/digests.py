"""BLAKE2b, without OpenSSL.

Importing `hashlib` loads OpenSSL's libcrypto (3.7 MiB of memory, in flake8's main process and in
each of its workers, which flake8 alone never loads). `hashlib.blake2b` is CPython's own `_blake2`
module in any case: imported directly, it is the same function without the library.
"""

from __future__ import annotations

try:
    from _blake2 import blake2b
except ImportError:  # an interpreter without CPython's extension module
    from hashlib import blake2b

__all__ = ["blake2b"]
