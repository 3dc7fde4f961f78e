"""The table the flake8 builder streams to flake8's processes (flasklint/flake8_table.py): a reader
gets each project's entries as soon as they are written, waits only for a file the builder may
still give, and stops waiting once the builder is gone, whether it finished or died."""

from __future__ import annotations

import contextlib
import os
import threading
import time

import pytest

from flasklint import flake8_table
from flasklint.flake8_table import Table, chunk_line, create, write_complete, write_header

pytestmark = pytest.mark.skipif(not flake8_table.CAN_STREAM, reason="no flock: the table is written whole first")

ENTRY = ["0123", [[4, 17, "FLK104 secret key hardcoded"]]]


@pytest.fixture
def table_file():
    """A table file asked about a.py and b.py, with the builder's locked descriptor."""
    name, descriptor = create()
    write_header(descriptor, {"paths": ["/p/a.py", "/p/b.py"], "key": None})
    yield name, descriptor
    for remove in (lambda: os.unlink(name), lambda: os.close(descriptor)):
        with contextlib.suppress(OSError):
            remove()


def release_after(descriptor: int, seconds: float) -> threading.Thread:
    """The builder exiting: its descriptor closed, which releases the lock."""
    thread = threading.Timer(seconds, os.close, (descriptor,))
    thread.start()
    return thread


def test_a_project_written_is_read_while_the_builder_runs(table_file: tuple[str, int]) -> None:
    name, descriptor = table_file
    table = Table(name)
    assert (table.requested, table.files, table.complete) == ({"/p/a.py", "/p/b.py"}, {}, False)
    os.write(descriptor, chunk_line({"/p/a.py": ENTRY}))
    assert table.lookup("/p/a.py") == ENTRY
    assert table.complete is False  # b.py may still come


def test_a_file_the_builder_was_not_asked_about_is_not_waited_for(table_file: tuple[str, int]) -> None:
    name, _ = table_file
    started = time.monotonic()
    assert Table(name).lookup("/p/stdin.py") is None
    assert time.monotonic() - started < 1


def test_a_reader_waits_for_the_project_being_built(table_file: tuple[str, int]) -> None:
    name, descriptor = table_file
    table = Table(name)
    writer = threading.Timer(0.3, os.write, (descriptor, chunk_line({"/p/b.py": None, "/p/a.py": ENTRY})))
    writer.start()
    started = time.monotonic()
    assert table.lookup("/p/a.py") == ENTRY
    assert time.monotonic() - started >= 0.3
    writer.join()
    assert table.lookup("/p/b.py") is None  # given as "build it yourself": no more waiting
    assert table.complete is False


def test_a_line_being_written_is_read_once_whole(table_file: tuple[str, int]) -> None:
    name, descriptor = table_file
    table = Table(name)
    line = chunk_line({"/p/a.py": ENTRY})
    os.write(descriptor, line[:10])
    table._read()
    assert table.files == {}
    os.write(descriptor, line[10:])
    assert table.lookup("/p/a.py") == ENTRY


@pytest.mark.parametrize("written", [b"", chunk_line({"/p/a.py": ENTRY})[:-5]])
def test_the_builder_gone_ends_the_wait(table_file: tuple[str, int], written: bytes) -> None:
    """Finished or killed (a partial last line): the readers stop waiting and build for themselves."""
    name, descriptor = table_file
    os.write(descriptor, written)
    table = Table(name)
    release = release_after(descriptor, 0.3)
    assert table.lookup("/p/a.py") is None
    release.join()
    assert table.complete is True
    assert table.lookup("/p/b.py") is None


def test_a_complete_table_needs_no_builder() -> None:
    name = write_complete({"paths": ["/p/a.py", "/p/b.py"]}, {"/p/a.py": ENTRY})
    try:
        table = Table(name)
        assert (table.complete, table.lookup("/p/a.py"), table.lookup("/p/b.py")) == (True, ENTRY, None)
    finally:
        os.unlink(name)


def test_a_table_file_that_is_gone_ends_the_wait(table_file: tuple[str, int]) -> None:
    name, _ = table_file
    table = Table(name)
    os.unlink(name)
    assert (table.lookup("/p/a.py"), table.complete) == (None, True)
