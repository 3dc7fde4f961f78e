"""The LSP methods the server answers: thin handlers over linting, actions and navigation."""

from __future__ import annotations

import asyncio
import dataclasses
from typing import TYPE_CHECKING, Any

from lsprotocol import types
from pygls.capabilities import get_capability

from flasklint.file_kinds import DEPLOYMENT_FILES, PYTHON_SUFFIX, TEMPLATE_SUFFIXES

from flasklint_lsp import actions, logs, navigation
from flasklint_lsp.projects import CONFIG_FILE, ProjectState

if TYPE_CHECKING:
    from flasklint_lsp.server import FlasklintServer

WATCH_REGISTRATION_ID = "flasklint-watched-files"
CONFIGURATION_TIMEOUT = 5.0  # seconds to wait for a workspace/configuration answer
COMPLETION_TRIGGERS = ['"', "'", ".", ","]


def watched_globs() -> list[str]:
    """Every file kind the engine reads: Python, templates, deployment files, and the config."""
    suffixes = ",".join(sorted(s.lstrip(".") for s in TEMPLATE_SUFFIXES))
    deployment = ",".join(DEPLOYMENT_FILES)
    return [f"**/*{PYTHON_SUFFIX}", f"**/*.{{{suffixes}}}", f"**/{CONFIG_FILE}", f"**/{{{deployment}}}"]


def register(server: "FlasklintServer") -> None:
    # -- life cycle ----------------------------------------------------------------------------
    @server.feature(types.INITIALIZE)
    async def initialize(ls: "FlasklintServer", params: types.InitializeParams) -> None:
        folders = params.workspace_folders or []
        for folder in folders:
            ls.workspaces.add_folder(folder.uri)
        if not folders and params.root_uri:
            ls.workspaces.add_folder(params.root_uri)
        options = params.initialization_options
        if options:
            await ls.apply_settings(options)

    @server.feature(types.INITIALIZED)
    async def initialized(ls: "FlasklintServer", params: types.InitializedParams) -> None:
        logs.forward_to_client(ls, asyncio.get_running_loop())
        ls.window_log_message(types.LogMessageParams(type=types.MessageType.Info, message=logs.startup_message(ls)))
        for state in ls.workspaces.states():
            if not state.started:
                ls.build(state)
        if get_capability(ls.client_capabilities, "workspace.did_change_watched_files.dynamic_registration", False):
            watchers = [types.FileSystemWatcher(glob_pattern=glob) for glob in watched_globs()]
            registration = types.Registration(
                id=WATCH_REGISTRATION_ID,
                method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                register_options=types.DidChangeWatchedFilesRegistrationOptions(watchers=watchers),
            )
            try:
                await ls.client_register_capability_async(types.RegistrationParams(registrations=[registration]))
            except Exception as exc:  # noqa: BLE001 - the client may refuse; edits in buffers still work
                message = f"flasklint: file watching unavailable: {exc}"
                ls.window_log_message(types.LogMessageParams(type=types.MessageType.Warning, message=message))

    @server.feature(types.SHUTDOWN)
    def shutdown(ls: "FlasklintServer", params: None) -> None:
        ls.linter.cancel_all()
        ls.engine.shutdown()

    # -- documents -----------------------------------------------------------------------------
    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: "FlasklintServer", params: types.DidOpenTextDocumentParams) -> None:
        if ls.settings.enable:
            ls.linter.schedule(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: "FlasklintServer", params: types.DidChangeTextDocumentParams) -> None:
        if ls.settings.enable and ls.settings.run == "onType":
            ls.linter.schedule(params.text_document.uri, ls.settings.debounce)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    async def did_save(ls: "FlasklintServer", params: types.DidSaveTextDocumentParams) -> None:
        uri = params.text_document.uri
        located = ls.workspaces.locate(uri)
        if located is not None and located.relative == CONFIG_FILE and located.state.ready.is_set():
            await ls.rebuild(located.state)
            return
        published, snapshot = ls.linter.published.get(uri), ls.snapshot(uri)
        stale = published is None or snapshot is None or published.snapshot.version != snapshot.version
        if ls.settings.enable and (ls.settings.run == "onSave" or stale):
            ls.linter.schedule(uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    async def did_close(ls: "FlasklintServer", params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        ls.linter.clear(uri)
        located = ls.ready(uri)
        if located is None or located.relative not in located.state.buffers:
            return
        # The engine goes back to the file on disk: unsaved edits of a closed buffer are gone.
        update = await ls.engine.run(located.state.update, located.relative, None, None)
        if update.index_changed:
            await ls.linter.refresh(located.state)

    # -- workspace -----------------------------------------------------------------------------
    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def did_change_configuration(ls: "FlasklintServer", params: types.DidChangeConfigurationParams) -> None:
        payload: Any = params.settings
        if not payload and get_capability(ls.client_capabilities, "workspace.configuration", False):
            try:
                answer = await asyncio.wait_for(
                    ls.workspace_configuration_async(
                        types.ConfigurationParams(items=[types.ConfigurationItem(section="flasklint")])
                    ),
                    CONFIGURATION_TIMEOUT,
                )
            except Exception:  # noqa: BLE001 - no answer: keep the current settings
                return
            payload = answer[0] if answer else None
        await ls.apply_settings(payload)

    @server.feature(types.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS)
    def did_change_workspace_folders(ls: "FlasklintServer", params: types.DidChangeWorkspaceFoldersParams) -> None:
        for folder in params.event.removed:
            ls.workspaces.remove_folder(folder.uri)
        for folder in params.event.added:
            state = ls.workspaces.add_folder(folder.uri)
            if state is not None and not state.started:
                ls.build(state)
        if ls.settings.enable:
            for uri in ls.open_uris():
                ls.linter.schedule(uri)

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    async def did_change_watched_files(ls: "FlasklintServer", params: types.DidChangeWatchedFilesParams) -> None:
        open_uris = set(ls.open_uris())
        changed: dict[int, tuple[ProjectState, list[str]]] = {}
        rebuild: dict[int, ProjectState] = {}
        for event in params.changes:
            located = ls.workspaces.locate(event.uri)
            if located is None or not located.state.ready.is_set() or located.state.project is None:
                continue
            state = located.state
            if located.relative == CONFIG_FILE:
                rebuild[id(state)] = state
            elif event.uri not in open_uris:
                changed.setdefault(id(state), (state, []))[1].append(located.relative)
        for state in rebuild.values():
            await ls.rebuild(state)
        for key, (state, relatives) in changed.items():
            if key in rebuild:
                continue
            if await ls.engine.run(state.reload_from_disk, relatives):
                await ls.linter.refresh(state)

    # -- code actions --------------------------------------------------------------------------
    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix, actions.FIX_ALL]),
    )
    async def code_action(ls: "FlasklintServer", params: types.CodeActionParams) -> list[types.CodeAction] | None:
        uri = params.text_document.uri
        snapshot, located = ls.snapshot(uri), ls.ready(uri)
        if snapshot is None or located is None or not ls.settings.enable:
            return None
        context = actions.ActionContext(
            uri, located.relative, snapshot, ls.linter.published.get(uri), ls.client_capabilities
        )
        only = params.context.only
        found: list[types.CodeAction] = []
        if actions.wanted(types.CodeActionKind.QuickFix, only):
            found.extend(actions.quick_actions(context, params))
        if actions.wanted(actions.FIX_ALL, only):
            fixed = await ls.engine.run(actions.fix_all_text, located.state, located.relative, snapshot)
            fix_all = actions.fix_all_action(context, fixed)
            if fix_all is not None:
                found.append(fix_all)
        return found or None

    # -- navigation ----------------------------------------------------------------------------
    def cursor_request(ls: "FlasklintServer", uri: str, position: types.Position) -> navigation.Request | None:
        snapshot, located = ls.snapshot(uri), ls.ready(uri)
        if snapshot is None or located is None or located.state.project is None:
            return None
        request = navigation.Request(located.state.project, located.relative, snapshot, position, {})
        if not navigation.applies(request):
            return None
        return dataclasses.replace(request, open_documents=ls.open_documents())

    @server.feature(
        types.TEXT_DOCUMENT_COMPLETION, types.CompletionOptions(trigger_characters=COMPLETION_TRIGGERS)
    )
    async def completion(ls: "FlasklintServer", params: types.CompletionParams) -> types.CompletionList | None:
        request = cursor_request(ls, params.text_document.uri, params.position)
        if request is None:
            return None
        snippets = get_capability(ls.client_capabilities, "text_document.completion.completion_item.snippet_support", False)
        return await ls.engine.run(navigation.complete, dataclasses.replace(request, snippets=bool(snippets)))

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    async def hover(ls: "FlasklintServer", params: types.HoverParams) -> types.Hover | None:
        request = cursor_request(ls, params.text_document.uri, params.position)
        return await ls.engine.run(navigation.hover, request) if request else None

    @server.feature(types.TEXT_DOCUMENT_DEFINITION)
    async def definition(ls: "FlasklintServer", params: types.DefinitionParams) -> list[types.Location] | None:
        request = cursor_request(ls, params.text_document.uri, params.position)
        return await ls.engine.run(navigation.definition, request) if request else None
