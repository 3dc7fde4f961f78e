"""The rule model: a rule is a class carrying its code, name, docs, cases and check (and, for a fix, its edits).

Docs live in the class docstring under ruff's headings (What it does / Why is this bad? / Example /
Use instead / Fix safety); `Rule.markdown()` renders them once for `flasklint rule`, `docs/rules/`
and the LSP hover, so the three never disagree.

Two kinds of rule, matching the data flow (files -> facts -> index -> rules):
- FileRule runs while a file's tree is in memory (taint, literal checks); its results are cached
  with the file's facts by content hash.
- ProjectRule runs on facts plus the project index (endpoints, secret key, templates): it needs no
  tree, so a warm run parses nothing. What else it needs of a file (where its fix goes) it reads
  in its own `collect` step, cached with the file's facts like a FileRule's results.
"""

from __future__ import annotations

import inspect
import re
from typing import TYPE_CHECKING, Any, ClassVar, Iterable

from flasklint.diagnostics import Diagnostic, Fix, Location, Severity
from flasklint.records import dataclass

if TYPE_CHECKING:
    from flasklint.model.module import ModuleModel
    from flasklint.model.facts import FileFacts, Span
    from flasklint.model.index import ProjectIndex
    from flasklint.model.templates import TemplateModel

DOCS_URL = "https://github.com/flasklint/flasklint/blob/main/docs/rules/{code}-{name}.md"
FIX_AVAILABILITY_NOTES = {
    "safe": "Fix is always available.",
    "unsafe": "Fix is always available (unsafe: applied with `--unsafe-fixes`).",
    "sometimes": "Fix is sometimes available.",
    "none": "",
}


@dataclass(frozen=True)
class Finding:
    """A finding a case must produce: its span (rows from 1, columns from 0, as on the diagnostic), its
    message, its file, and its fix's applicability ("safe", "unsafe"; None: no fix)."""

    span: tuple[int, int, int, int]
    message: str
    path: str = "app.py"
    fix: str | None = None


class Case:
    """An example project for a rule (file path -> source; a bare string is `app.py`).

    A VALID case must produce nothing. An INVALID case lists every finding it must produce, in order,
    and `fixed`: each file its fixes change (all of them, unsafe ones included), as it reads after them.
    """

    def __init__(self, source: str | dict[str, str], *findings: Finding, fixed: dict[str, str] | None = None):
        self.files = {"app.py": source} if isinstance(source, str) else dict(source)
        self.findings = findings
        self.fixed = fixed or {}

    @classmethod
    def of(cls, case: "Case | str | dict[str, str]") -> "Case":
        return case if isinstance(case, Case) else cls(case)


class Rule:
    code: ClassVar[str]
    name: ClassVar[str]
    summary: ClassVar[str]  # one line, used in tables and `--statistics`
    severity: ClassVar[Severity] = Severity.WARNING
    fix_availability: ClassVar[str] = "none"  # none | safe | unsafe | sometimes
    # Which files the rule looks at: "python", "template", "other" (Dockerfile, Procfile, shell scripts).
    kinds: ClassVar[frozenset[str]] = frozenset({"python"})
    valid: ClassVar[list[str | dict[str, str]]] = []  # sources that must stay clean
    invalid: ClassVar[list[Case]] = []  # what each must produce, exactly (tests/test_rule_cases.py)

    @classmethod
    def docs(cls) -> str:
        return inspect.cleandoc(cls.__doc__ or "")

    @classmethod
    def url(cls) -> str:
        return DOCS_URL.format(code=cls.code, name=cls.name)

    @classmethod
    def markdown(cls) -> str:
        """The rule's page: title, summary, fix availability, then the docstring (ruff's `rule` layout)."""
        header = f"# {cls.name} ({cls.code})\n\n{cls.summary}.\n"
        availability = FIX_AVAILABILITY_NOTES[cls.fix_availability]
        if availability:
            header += f"\n{availability}\n"
        return f"{header}\n{cls.docs()}\n"

    @classmethod
    def doc_section(cls, heading: str) -> str:
        """The text under one `## heading` of the docs (empty when absent)."""
        match = re.search(rf"^## {re.escape(heading)}\s*\n(.*?)(?=^## |\Z)", cls.docs(), re.M | re.S)
        return match.group(1).strip() if match else ""

    def diagnostic(
        self,
        path: str,
        span: "Span",
        message: str,
        fix: Fix | None = None,
        severity: Severity | None = None,
        **data: object,
    ) -> Diagnostic:
        line, column, end_line, end_column = span
        return Diagnostic(
            code=self.code,
            message=message,
            path=path,
            start=Location(line, column),
            end=Location(end_line, end_column),
            severity=severity or self.severity,
            fix=fix,
            data=dict(data),
        )


class FileRule(Rule):
    """Runs on one file in memory. Override the hook(s) for the kinds in `kinds`."""

    def check_module(self, model: "ModuleModel") -> Iterable[Diagnostic]:
        return ()

    def check_template(self, template: "TemplateModel") -> Iterable[Diagnostic]:
        return ()

    def check_text(self, path: str, text: str) -> Iterable[Diagnostic]:
        """Non-Python, non-template files (kind "other")."""
        return ()


class ProjectRule(Rule):
    """Runs per file with the project index; never sees a tree.

    What a rule needs of a file beyond the facts the index reads (where its fix goes, say) it reads
    in `collect`, while the tree is in memory: the engine runs it right after the file rules and
    caches its result with the file's facts (`facts.rule_data[code]`), so a warm run parses nothing.
    """

    # The JSON shape `collect` returns (a TypedDict, `list[...]` of one, ...): a cache entry holding
    # anything else for this rule is rejected, as for the facts themselves (cache_shape.py).
    data_shape: ClassVar[object] = None

    def collect(self, model: "ModuleModel") -> object | None:
        """This rule's own data about one Python file: JSON values only; None when there is nothing."""
        return None

    def collect_template(self, template: "TemplateModel") -> object | None:
        """This rule's own data about one template (as `collect` for a Python file)."""
        return None

    def collect_text(self, path: str, text: str) -> object | None:
        """This rule's own data about one deployment file (kind "other"), as `collect` for a Python file."""
        return None

    def data(self, facts: "FileFacts") -> Any:
        """What `collect` (or `collect_template`) returned for this file (None: nothing)."""
        return facts.rule_data.get(self.code)

    def check(self, index: "ProjectIndex", facts: "FileFacts") -> Iterable[Diagnostic]:
        return ()

    def templates_read(self, index: "ProjectIndex") -> Iterable[str]:
        """The templates (paths) whose facts `check` reads, beyond their path, when it checks a Python
        file. flake8's builder reports on Python files alone: it analyses only these templates and
        lets a stub holding the path stand for each other (`Project.analyse(python_findings_only=True)`),
        asking again until the answer holds no stub. A rule whose Python findings read a template's
        facts (its outputs, what it extends) must name that template here."""
        return ()
