"""Secret-key writes, config loaders and session writes, derived from a ModuleModel.

(Work in progress: filled in by the FLK104/FLK302 work.)
"""

from __future__ import annotations

from flasklint.model.extract import ModuleModel


def collect_config_facts(model: ModuleModel) -> None:
    """Fill model.facts.secret_keys, config_loads and session_writes."""
