/**
 * Entry point: one flasklint language server per (outermost) workspace folder, kept in step with
 * folders, settings, workspace trust and the Python extension's interpreter; the commands.
 */
import * as vscode from "vscode";

import { outermostFolders } from "./documents";
import { FolderServer, type ServerEnvironment } from "./folderServer";
import { Notifier } from "./notifier";
import { pipInstall } from "./probe";
import { onInterpreterChanged, pythonExtensionInstalled } from "./python";
import { changeEffect, type NotificationLevel, readSettings } from "./settings";
import { StatusItem } from "./status";
import { problemMessage, type ProbeVerdict } from "./version";

const FIX_ALL_KIND = vscode.CodeActionKind.SourceFixAll.append("flasklint");

let servers: Servers | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const log = vscode.window.createOutputChannel("flasklint", { log: true });
  const status = new StatusItem();
  const notifier = new Notifier(log, () => readSettings(vscode.workspace.getConfiguration("flasklint")).showNotifications as NotificationLevel);
  servers = new Servers({
    log,
    status,
    notifier,
    safeCwd: context.extensionUri.fsPath,
    onInterpreterProblem: (python, verdict, folder) => void offerFix(python, verdict, folder),
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
  const interpreterWatch = await onInterpreterChanged(() => void running.restartWhere((server) => !server.settingsInterpreter()));
  if (interpreterWatch) {
    context.subscriptions.push(interpreterWatch);
  }
  log.info(`flasklint extension ${context.extension.packageJSON.version} in ${vscode.env.appName} ${vscode.version}`);
  await running.sync();

  /** The one notification for an interpreter without a usable flasklint, and what its buttons do. */
  async function offerFix(python: string, verdict: Exclude<ProbeVerdict, { kind: "ok" }>, folder: vscode.WorkspaceFolder): Promise<void> {
    const install = verdict.kind === "outdated" ? "Upgrade flasklint" : "Install flasklint";
    const actions = verdict.kind === "broken" ? ["Select Interpreter", "Show Logs"] : [install, "Select Interpreter", "Show Logs"];
    const choice = await notifier.notify("error", problemMessage(verdict, python), actions, `probe:${python}:${verdict.kind}`);
    if (choice === install) {
      await installInto(python);
    } else if (choice === "Select Interpreter") {
      await selectInterpreter(folder);
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
        await selectInterpreter(undefined);
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

  /** Start servers for new folders, stop those of removed ones. */
  async sync(): Promise<void> {
    const folders = vscode.workspace.workspaceFolders?.filter((folder) => folder.uri.scheme === "file") ?? [];
    const wanted = new Set(outermostFolders(folders.map((folder) => folder.uri.fsPath)));
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
    await Promise.all([...stops, ...starts]);
  }

  restartAll(): Promise<void> {
    return this.restartWhere(() => true);
  }

  async restartWhere(predicate: (server: FolderServer) => boolean): Promise<void> {
    await Promise.all([...this.byFolder.values()].filter(predicate).map((server) => server.restart()));
  }

  async configurationChanged(event: vscode.ConfigurationChangeEvent): Promise<void> {
    await Promise.all(
      [...this.byFolder.values()].map((server) => {
        const effect = changeEffect((section) => event.affectsConfiguration(section, server.folder.uri));
        if (effect === "none") {
          return undefined;
        }
        this.env.log.info(`[${server.folder.name}] settings changed: ${effect === "restart" ? "restarting the server" : "sending them to the server"}`);
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

/** The Python extension's picker when it is installed, else a file dialog that sets flasklint.interpreter. */
async function selectInterpreter(folder: vscode.WorkspaceFolder | undefined): Promise<void> {
  if (pythonExtensionInstalled()) {
    await vscode.commands.executeCommand("python.setInterpreter");
    return;
  }
  const picked = await vscode.window.showOpenDialog({
    title: "Select a Python interpreter that has flasklint installed",
    canSelectMany: false,
    canSelectFolders: false,
    ...(folder ? { defaultUri: folder.uri } : {}),
  });
  const python = picked?.[0];
  if (python) {
    const target = folder ? vscode.ConfigurationTarget.WorkspaceFolder : vscode.ConfigurationTarget.Workspace;
    await vscode.workspace.getConfiguration("flasklint", folder?.uri).update("interpreter", python.fsPath, target);
  }
}
