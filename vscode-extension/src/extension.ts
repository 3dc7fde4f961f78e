/**
 * Entry point: one flasklint language server per (outermost) workspace folder, kept in step with
 * folders, settings, workspace trust and the Python extension's interpreter; the commands.
 */
import * as vscode from "vscode";

import { outermostFolders } from "./documents";
import { FolderServer, type InterpreterProblem, type ServerEnvironment } from "./folderServer";
import { Notifier } from "./notifier";
import { pipInstall } from "./probe";
import { onInterpreterChanged, pythonExtensionInstalled } from "./python";
import { changeEffect, readSettings } from "./settings";
import { StatusItem } from "./status";
import { problemActions, problemMessage } from "./version";

const FIX_ALL_KIND = vscode.CodeActionKind.SourceFixAll.append("flasklint");

const LOOSE_FILES = ""; // the key of the server for files opened without a folder

let servers: Servers | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel("flasklint", { log: true });
  const status = new StatusItem();
  const notifier = new Notifier(log, () => readSettings(vscode.workspace.getConfiguration("flasklint")).showNotifications);
  servers = new Servers({
    log,
    status,
    notifier,
    safeCwd: context.extensionUri.fsPath,
    onInterpreterProblem: (problem) => void offerFix(problem),
  });
  const running = servers;
  context.subscriptions.push(
    log,
    status,
    vscode.commands.registerCommand("flasklint.restart", () => {
      notifier.reset();
      return running.restartAll();
    }),
    vscode.commands.registerCommand("flasklint.showLogs", () => log.show()),
    vscode.commands.registerCommand("flasklint.fixAll", fixAll),
    vscode.workspace.onDidChangeWorkspaceFolders(() => running.sync()),
    vscode.workspace.onDidGrantWorkspaceTrust(() => running.restartAll()),
    vscode.workspace.onDidChangeConfiguration((event) => running.configurationChanged(event)),
  );
  log.info(`flasklint extension ${context.extension.packageJSON.version} in ${vscode.env.appName} ${vscode.version}`);
  // Neither waits inside activate(): the Python extension may take seconds to activate, and the
  // servers report their own progress in the status bar.
  void onInterpreterChanged(() => void running.pythonInterpreterChanged()).then(
    (watch) => watch && context.subscriptions.push(watch),
  );
  void running.sync();

  /** The one notification for an interpreter without a usable flasklint, and what its buttons do. */
  async function offerFix({ python, verdict, pip }: InterpreterProblem): Promise<void> {
    const actions = problemActions(verdict, pip);
    const message = problemMessage(verdict, python, pip);
    const choice = await notifier.notify("error", message, actions, `probe:${python}:${verdict.kind}`);
    if (choice === "Install flasklint" || choice === "Upgrade flasklint") {
      await installInto(python);
    } else if (choice === "Select Interpreter") {
      await selectInterpreter(running.foldersUnableToUse(python));
    } else if (choice === "Show Logs") {
      log.show();
    }
  }

  async function installInto(python: string): Promise<void> {
    const installed = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Installing flasklint into ${python}` },
      () => pipInstall(python, context.extensionUri.fsPath, (line) => log.info(`pip: ${line}`)),
    );
    if (installed) {
      await running.restartWhere((server) => server.python === python);
    } else {
      const choice = await vscode.window.showErrorMessage(
        `pip could not install flasklint into ${python} (the flasklint log has pip's output). Pick an interpreter of a virtual environment instead?`,
        "Select Interpreter",
        "Show Logs",
      );
      if (choice === "Select Interpreter") {
        await selectInterpreter(running.foldersUnableToUse(python));
      } else if (choice === "Show Logs") {
        log.show();
      }
    }
  }
}

export async function deactivate(): Promise<void> {
  await servers?.disposeAll();
  servers = undefined;
}

/** The running servers, one per outermost workspace folder. */
class Servers {
  private readonly byFolder = new Map<string, FolderServer>();

  constructor(private readonly env: ServerEnvironment) {}

  /**
   * Start servers for new folders, stop those of removed ones. With no folder open, one server
   * lints the files opened on their own (keyed ""); it goes once a folder is opened.
   */
  async sync(): Promise<void> {
    const folders = vscode.workspace.workspaceFolders?.filter((folder) => folder.uri.scheme === "file") ?? [];
    const wanted = new Set(outermostFolders(folders.map((folder) => folder.uri.fsPath)));
    if (folders.length === 0) {
      wanted.add(LOOSE_FILES);
    }
    const stops = [...this.byFolder]
      .filter(([folder]) => !wanted.has(folder))
      .map(([folder, server]) => {
        this.byFolder.delete(folder);
        return server.dispose();
      });
    const starts = folders
      .filter((folder) => wanted.has(folder.uri.fsPath) && !this.byFolder.has(folder.uri.fsPath))
      .map((folder) => {
        const server = new FolderServer(folder, this.env);
        this.byFolder.set(folder.uri.fsPath, server);
        return server.start();
      });
    if (wanted.has(LOOSE_FILES) && !this.byFolder.has(LOOSE_FILES)) {
      const server = new FolderServer(undefined, this.env);
      this.byFolder.set(LOOSE_FILES, server);
      starts.push(server.start());
    }
    await Promise.all([...stops, ...starts]);
  }

  /** Every folder whose server could not start because `python` lacks a usable flasklint. */
  foldersUnableToUse(python: string): vscode.WorkspaceFolder[] {
    return [...this.byFolder.values()].flatMap((server) =>
      server.unusableInterpreter === python && server.folder ? [server.folder] : [],
    );
  }

  restartAll(): Promise<void> {
    return this.restartWhere(() => true);
  }

  async restartWhere(predicate: (server: FolderServer) => boolean): Promise<void> {
    await Promise.all([...this.byFolder.values()].filter(predicate).map((server) => server.restart()));
  }

  async pythonInterpreterChanged(): Promise<void> {
    await Promise.all([...this.byFolder.values()].map((server) => server.restartIfInterpreterChanged()));
  }

  async configurationChanged(event: vscode.ConfigurationChangeEvent): Promise<void> {
    await Promise.all(
      [...this.byFolder.values()].map((server) => {
        const effect = changeEffect((section) => event.affectsConfiguration(section, server.folder?.uri));
        if (effect === "none") {
          return undefined;
        }
        this.env.log.info(`[${server.name}] settings changed: ${effect === "restart" ? "restarting the server" : "sending them to the server"}`);
        return effect === "restart" ? server.restart() : server.reconfigure();
      }),
    );
  }

  async disposeAll(): Promise<void> {
    await Promise.all([...this.byFolder.values()].map((server) => server.dispose()));
    this.byFolder.clear();
  }
}

async function fixAll(): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (!editor) {
    void vscode.window.showInformationMessage("flasklint: open a Python file or template to fix.");
    return;
  }
  const document = editor.document;
  const whole = new vscode.Range(document.positionAt(0), document.positionAt(document.getText().length));
  const actions =
    (await vscode.commands.executeCommand<vscode.CodeAction[]>(
      "vscode.executeCodeActionProvider",
      document.uri,
      whole,
      FIX_ALL_KIND.value,
    )) ?? [];
  const edits = actions.filter((action) => action.kind && FIX_ALL_KIND.contains(action.kind) && action.edit);
  if (edits.length === 0) {
    void vscode.window.showInformationMessage("flasklint: no safe fixes in this file.");
    return;
  }
  for (const action of edits) {
    await vscode.workspace.applyEdit(action.edit as vscode.WorkspaceEdit);
  }
}

/**
 * The Python extension's picker when it is installed, else a file dialog whose choice becomes
 * `flasklint.interpreter` of every folder that needs it (a folder's own setting would override a
 * workspace-wide one); the configuration change then restarts their servers.
 */
async function selectInterpreter(folders: vscode.WorkspaceFolder[]): Promise<void> {
  if (pythonExtensionInstalled()) {
    await vscode.commands.executeCommand("python.setInterpreter");
    return;
  }
  const first = folders[0];
  const picked = await vscode.window.showOpenDialog({
    title: "Select a Python interpreter that has flasklint installed",
    canSelectMany: false,
    canSelectFolders: false,
    ...(first ? { defaultUri: first.uri } : {}),
  });
  const python = picked?.[0];
  if (!python) {
    return;
  }
  if (folders.length === 0) {
    const target = vscode.workspace.workspaceFolders ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
    await vscode.workspace.getConfiguration("flasklint").update("interpreter", python.fsPath, target);
  }
  for (const folder of folders) {
    await vscode.workspace
      .getConfiguration("flasklint", folder.uri)
      .update("interpreter", python.fsPath, vscode.ConfigurationTarget.WorkspaceFolder);
  }
}
