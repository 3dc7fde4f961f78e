"""Flask-aware editing from the project index: completion, hover and go-to-definition.

Endpoint strings (`url_for("auth.login")`) resolve to the endpoint table, template names
(`render_template("x.html")`, `{% extends "base.html" %}`) to the template folders, and
`# noqa: FLK201` codes to the rule docs. These functions run on the engine thread (they read the
index the engine rebuilds).
"""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass
from pathlib import Path

from lsprotocol import types
from pygls.uris import from_fs_path

from flasklint.diagnostics import Location
from flasklint.engine import Project
from flasklint.model.app_scope import AppView
from flasklint.model.index import Endpoint, ProjectIndex
from flasklint.model.routing import parse_rule
from flasklint.model.url_variables import variables_to_fill
from flasklint.rules import RULES_BY_CODE

from flasklint_lsp.cursor import KeywordSlot, StringArgument, context_at, noqa_code_at
from flasklint_lsp.text import Snapshot

# url_for's own keyword arguments, offered after the rule's variables.
URL_FOR_OPTIONS = {
    "_external": "build an absolute URL",
    "_anchor": "append `#anchor` to the URL",
    "_method": "the method to build the URL for",
    "_scheme": "the scheme of an external URL",
}


@dataclass(frozen=True)
class Request:
    """One cursor request on a document of a project."""

    project: Project
    relative: str
    snapshot: Snapshot
    position: types.Position
    open_documents: dict[Path, Snapshot]  # resolved path -> buffer, for targets that are open
    snippets: bool = False  # the client accepts snippet completions (completionItem.snippetSupport)

    @property
    def location(self) -> Location:
        return self.snapshot.location(self.position)

    def context(self) -> StringArgument | KeywordSlot | None:
        location = self.location
        offset = self.snapshot.offset(self.position)
        return context_at(self.snapshot.text, offset, offset - location.column)

    def string_range(self, argument: StringArgument) -> types.Range:
        row = self.location.row
        return self.snapshot.range(Location(row, argument.start), Location(row, argument.end))


def applies(request: Request) -> bool:
    """Whether the cursor is on something this module answers for: a cheap, text-only check.

    Completion triggers on `.` and `,` everywhere; without this check every such keystroke would
    queue behind the engine thread (busy linting the last change) just to answer "nothing".
    """
    location = request.location
    line = request.snapshot.line(location.row - 1)
    return request.context() is not None or noqa_code_at(line, location.column) is not None


# -- completion -------------------------------------------------------------------------------
def complete(request: Request) -> types.CompletionList | None:
    context = request.context()
    index = request.project.index
    if isinstance(context, KeywordSlot):
        return types.CompletionList(is_incomplete=False, items=_keyword_items(request, index, context))
    if not isinstance(context, StringArgument):
        return None
    row = request.location.row
    replace = request.snapshot.range(Location(row, context.start), request.location)
    view = _app_view(request, index)
    if context.callee == "url_for":
        # A url_defaults callback or a custom url_for may supply the values: then no snippet.
        call_end = _call_end(request, context) if request.snippets and not view.custom_url_building else None
        items = [_endpoint_item(name, endpoints, replace, call_end) for name, endpoints in sorted(view.endpoints.items())]
    else:
        items = [
            types.CompletionItem(
                label=name,
                kind=types.CompletionItemKind.File,
                detail="template",
                text_edit=types.TextEdit(range=replace, new_text=name),
            )
            for name in sorted(index.templates_of(view))
        ]
    return types.CompletionList(is_incomplete=False, items=items)


def _endpoint_item(
    name: str, endpoints: list[Endpoint], replace: types.Range, call_end: "CallEnd | None" = None
) -> types.CompletionItem:
    snippet = _endpoint_snippet(name, endpoints, call_end) if call_end is not None else None
    return types.CompletionItem(
        label=name,
        kind=types.CompletionItemKind.Reference,
        detail=" | ".join(_rule_and_methods(e) for e in endpoints),
        documentation=types.MarkupContent(kind=types.MarkupKind.Markdown, value=_endpoint_markdown(name, endpoints)),
        text_edit=types.TextEdit(
            range=replace if snippet is None else types.Range(start=replace.start, end=call_end.end),  # type: ignore[union-attr]
            new_text=name if snippet is None else snippet,
        ),
        insert_text_format=types.InsertTextFormat.Snippet if snippet is not None else None,
        filter_text=name,
    )


# -- endpoint snippets ------------------------------------------------------------------------
# After an unclosed endpoint string, the call may still be completed when nothing but a Jinja
# delimiter follows the cursor (`{{ url_for('us }}`).
_ONLY_JINJA_CLOSE = re.compile(r"\s*(?:[-+]?[}%]\}.*)?\Z")
_CLOSED_CALL = re.compile(r"\s*\)")


@dataclass(frozen=True)
class CallEnd:
    """Where an endpoint snippet ends (the call's `)` when it is there) and the endpoint's quote."""

    end: types.Position
    quote: str


def _call_end(request: Request, context: StringArgument) -> CallEnd | None:
    """Where a snippet `name", var=${1:var})` may replace up to: the closing quote and `)` right after
    the string, or the cursor when the string is not closed yet; None when other arguments follow
    (the user is editing a complete call: plain text)."""
    row = request.location.row
    line = request.snapshot.line(row - 1)
    quote = line[context.start - 1] if 0 < context.start <= len(line) else ""
    if quote not in ("'", '"'):
        return None
    after = line[context.end :]
    if after.startswith(quote):
        closing = _CLOSED_CALL.match(after, 1)
        if closing is None:
            return None
        return CallEnd(request.snapshot.position(Location(row, context.end + closing.end())), quote)
    if not _ONLY_JINJA_CLOSE.match(line[request.location.column :]):
        return None  # characters after the cursor belong to the unclosed string: leave them alone
    return CallEnd(request.position, quote)


def _endpoint_snippet(name: str, endpoints: list[Endpoint], call_end: CallEnd) -> str | None:
    """`user", name=${1:name})$0`: the endpoint, then a placeholder for each variable the easiest rule
    needs (FLK202's knowledge); None when it needs none (plain text, as without snippets)."""
    variables = variables_to_fill(endpoints)
    if not variables or any(keyword.iskeyword(v) for v in variables):
        return None
    values = ", ".join(f"{v}=${{{i}:{v}}}" for i, v in enumerate(variables, start=1))
    return f"{_snippet_text(name)}{call_end.quote}, {values})$0"


def _snippet_text(text: str) -> str:
    """Literal text inside a snippet: `$`, `}` and `\\` escaped."""
    return re.sub(r"([$}\\])", r"\\\1", text)


def _keyword_items(request: Request, index: ProjectIndex, slot: KeywordSlot) -> list[types.CompletionItem]:
    items: list[types.CompletionItem] = []
    seen: set[str] = set(slot.given)
    for endpoint in _resolve_endpoint(request, index, slot.endpoint):
        if endpoint.rule is None:
            continue
        for variable in parse_rule(endpoint.rule).variables:
            if variable.name in seen:
                continue
            seen.add(variable.name)
            converter = "" if variable.converter == "default" else f"{variable.converter}:"
            items.append(
                types.CompletionItem(
                    label=variable.name,
                    kind=types.CompletionItemKind.Variable,
                    detail=f"<{converter}{variable.name}> in {endpoint.rule}",
                    insert_text=f"{variable.name}=",
                    sort_text=f"0{len(items):03d}",
                )
            )
    for option, description in URL_FOR_OPTIONS.items():
        if option not in seen:
            items.append(
                types.CompletionItem(
                    label=option,
                    kind=types.CompletionItemKind.Property,
                    detail=description,
                    insert_text=f"{option}=",
                    sort_text=f"1{option}",
                )
            )
    return items


# -- hover ------------------------------------------------------------------------------------
def hover(request: Request) -> types.Hover | None:
    location = request.location
    line = request.snapshot.line(location.row - 1)
    code = noqa_code_at(line, location.column)
    if code is not None:
        rule = RULES_BY_CODE.get(code.code)
        if rule is None:
            return None
        text = f"{rule.markdown()}\n[{rule.code} documentation]({rule.url()})\n"
        return types.Hover(
            contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=text),
            range=request.snapshot.range(Location(location.row, code.start), Location(location.row, code.end)),
        )
    context = request.context()
    if not isinstance(context, StringArgument) or not context.value:
        return None
    if context.callee == "url_for":
        endpoints = _resolve_endpoint(request, request.project.index, context.value)
        if not endpoints:
            return None
        value = _endpoint_markdown(context.value, endpoints)
    else:
        paths = _app_view(request, request.project.index).template_files(context.value)
        if not paths:
            return None
        value = f"template `{context.value}`: " + ", ".join(f"`{p}`" for p in paths)
    return types.Hover(
        contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=value),
        range=request.string_range(context),
    )


# -- definition -------------------------------------------------------------------------------
def definition(request: Request) -> list[types.Location] | None:
    context = request.context()
    if not isinstance(context, StringArgument) or not context.value:
        return None
    project = request.project
    if context.callee == "url_for":
        targets = [
            (endpoint.path, endpoint.view_span or endpoint.span)
            for endpoint in _resolve_endpoint(request, project.index, context.value)
        ]
    else:
        targets = [(path, (1, 0, 1, 0)) for path in _app_view(request, project.index).template_files(context.value)]
    locations = []
    for relative, (line, column, end_line, end_column) in targets:
        absolute = project.root / relative
        snapshot = _target_snapshot(request, absolute)
        uri = from_fs_path(str(absolute))
        if snapshot is None or uri is None:
            continue
        locations.append(
            types.Location(uri=uri, range=snapshot.range(Location(line, column), Location(end_line, end_column)))
        )
    return locations or None


def _target_snapshot(request: Request, absolute: Path) -> Snapshot | None:
    """The text positions in a target file refer to: its open buffer, else its content on disk."""
    resolved = absolute.resolve()
    if resolved in request.open_documents:
        return request.open_documents[resolved]
    try:
        text = resolved.read_bytes().decode("utf-8", errors="replace")
    except OSError:
        return None
    return Snapshot(text, None, request.snapshot.codec)


# -- resolution -------------------------------------------------------------------------------
def _resolve_endpoint(request: Request, index: ProjectIndex, name: str) -> list[Endpoint]:
    """Endpoints a url_for string names in the app(s) running it; a relative `.view` resolves against
    the view the call is in."""
    return _app_view(request, index).resolve_endpoint(name, _owners_at_cursor(request))


def _app_view(request: Request, index: ProjectIndex) -> AppView:
    """The app(s) that run the code at the cursor, as the rules see them (every app when unknown)."""
    facts = request.project.facts.get(request.relative)
    return index.everywhere if facts is None else index.view_for(facts, _owners_at_cursor(request))


def _owners_at_cursor(request: Request) -> list[str]:
    """Route owners of the view holding the url_for call under the cursor ([]: unknown)."""
    facts = request.project.facts.get(request.relative)
    row = request.location.row
    return sorted(
        {ref for call in (facts.url_for_calls if facts else []) if call.span[0] <= row <= call.span[2] for ref in call.blueprints}
    )


def _rule_and_methods(endpoint: Endpoint) -> str:
    rule = endpoint.rule or "(rule not known statically)"
    return f"{rule} [{', '.join(endpoint.methods)}]" if endpoint.methods else rule


def _endpoint_markdown(name: str, endpoints: list[Endpoint]) -> str:
    lines = [f"**endpoint `{name}`**", ""]
    for endpoint in endpoints:
        methods = f"{', '.join(endpoint.methods)} " if endpoint.methods else ""
        rule = f"`{endpoint.rule}`" if endpoint.rule else "rule not known statically"
        view = f"`{endpoint.view}`" if endpoint.view else "view"
        line = (endpoint.view_span or endpoint.span)[0]
        lines.append(f"- {methods}{rule} → {view} in `{endpoint.path}:{line}`")
    return "\n".join(lines)
