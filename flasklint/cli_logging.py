"""The CLI's log on stderr: `flasklint: warning: message`, and a count of what a run logged.

Apart from cli.py so that `flasklint --version` and a warm run that prints its saved result
(run_cache.py) never import logging: neither logs anything."""

from __future__ import annotations

import logging
import sys

log = logging.getLogger("flasklint")


class _MessageOnly(logging.Formatter):
    """`flasklint: error: message`; the traceback of an internal error only with --verbose."""

    def __init__(self, verbose: bool) -> None:
        super().__init__("flasklint: %(levelname)s: %(message)s")
        self.verbose = verbose

    def format(self, record: logging.LogRecord) -> str:
        record.levelname = record.levelname.lower()
        if record.exc_info and not self.verbose:
            record = logging.makeLogRecord({**record.__dict__, "exc_info": None, "exc_text": None})
            return f"{super().format(record)} (run with --verbose for the traceback)"
        return super().format(record)


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to the current sys.stderr, so calling `main()` in-process (tests) never keeps a stale one."""

    @property  # type: ignore[override]
    def stream(self) -> object:
        return sys.stderr

    @stream.setter
    def stream(self, _value: object) -> None:
        pass


def configure(verbose: bool) -> None:
    handler = _StderrHandler()
    handler.setFormatter(_MessageOnly(verbose))
    log.handlers[:] = [handler]
    log.setLevel(logging.INFO if verbose else logging.WARNING)
    log.propagate = False


class WarningCount(logging.Handler):
    """Counts the warnings and errors logged while it is installed: a run that printed one is not
    saved for the next run to print (run_cache.py), which would leave it out."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1

    def __enter__(self) -> "WarningCount":
        log.addHandler(self)
        return self

    def __exit__(self, *exc_info: object) -> None:
        log.removeHandler(self)
