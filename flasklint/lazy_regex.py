"""Regular expressions compiled on first use, not at import.

Compiling the patterns of every model and rule module at import was a few per cent of a cold run
on a small project, most of them for files it does not have (deploy files, redirects, noqa
comments). `lazy_pattern(pattern, flags)` returns a function giving `re.compile(pattern, flags)`,
compiled at its first call and the same object after (a C-level cache lookup per call).
"""

from __future__ import annotations

import functools
import re


def lazy_pattern(pattern: str, flags: int = 0) -> functools._lru_cache_wrapper[re.Pattern[str]]:
    return functools.cache(functools.partial(re.compile, pattern, flags))
