"""The server loads libcst and runs every rule once as it starts, before the editor opens a document
(the first document's own diagnostics then wait for its analysis only)."""

from __future__ import annotations

import asyncio
import logging
import os
import pstats
from pathlib import Path

import pytest

from flasklint.engine import analyse_python, analyse_template
from flasklint_lsp.warmup import MODULE, TEMPLATE, warm_up
from harness import flask_app, lsp_session


def test_the_warm_up_goes_through_the_parser_and_the_rules(caplog: pytest.LogCaptureFixture) -> None:
    """Its module is parsed (not passed over by the pre-scan) and rules find things in it."""
    module = analyse_python("warm.py", "warm", False, MODULE)
    template = analyse_template("templates/warm.html", TEMPLATE)
    assert sorted(d.code for d in module.diagnostics) == ["FLK104", "FLK105", "FLK107", "FLK108", "FLK501"]
    assert module.routes and not module.parse_error
    assert template.diagnostics == [] and not template.parse_error
    with caplog.at_level(logging.DEBUG):
        warm_up()
    assert caplog.records == []


@pytest.mark.asyncio
async def test_the_server_warms_up_before_any_document_is_opened(tmp_path: Path) -> None:
    profile = tmp_path / "profile"
    environment = {**os.environ, "FLASKLINT_LSP_PROFILE": str(profile)}
    async with lsp_session(flask_app(tmp_path / "app"), server_env=environment):
        quick = Path(f"{profile}.flasklint-quick")  # written by the thread of the own diagnostics
        for _ in range(200):
            if quick.exists():
                break
            await asyncio.sleep(0.1)
    functions = {(Path(file).name, name) for file, _, name in pstats.Stats(str(quick)).stats}  # type: ignore[attr-defined]
    assert ("warmup.py", "warm_up") in functions
    assert ("engine.py", "analyse_python") in functions and ("engine.py", "analyse_template") in functions
