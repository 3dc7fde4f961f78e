"""Literal URL paths in Python code that may be the app's own routes (FLK203 candidates).

(Work in progress: filled in by the FLK203 work.)
"""

from __future__ import annotations

from flasklint.model.extract import ModuleModel


def collect_url_literals(model: ModuleModel) -> None:
    """Fill model.facts.url_literals."""
