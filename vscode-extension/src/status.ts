/**
 * One status bar item for all folders: visible while a server starts or after one failed, hidden
 * when every server runs (problems then speak for themselves, as in ruff's extension).
 */
import * as vscode from "vscode";

export type ServerState = { kind: "starting" } | { kind: "running" } | { kind: "stopped" } | { kind: "failed"; reason: string };

export class StatusItem implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem("flasklint.status", vscode.StatusBarAlignment.Left, 10);
  private readonly states = new Map<string, ServerState>();

  constructor() {
    this.item.name = "flasklint";
  }

  set(folder: string, state: ServerState): void {
    this.states.set(folder, state);
    this.render();
  }

  forget(folder: string): void {
    this.states.delete(folder);
    this.render();
  }

  private render(): void {
    const failed = [...this.states].filter(([, state]) => state.kind === "failed");
    const starting = [...this.states].filter(([, state]) => state.kind === "starting");
    if (failed.length > 0) {
      this.item.text = "$(error) flasklint";
      this.item.command = "flasklint.restart"; // re-resolves the interpreter and notifies again if still broken
      this.item.tooltip = failed
        .map(([folder, state]) => `${folder}: ${state.kind === "failed" ? state.reason : ""}`)
        .join("\n") + "\nClick to try again (flasklint: Restart Server); flasklint: Show Logs has the details.";
      this.item.backgroundColor = new vscode.ThemeColor("statusBarItem.errorBackground");
      this.item.show();
    } else if (starting.length > 0) {
      this.item.text = "$(loading~spin) flasklint";
      this.item.command = "flasklint.showLogs";
      this.item.tooltip = `Starting the flasklint server for ${starting.map(([folder]) => folder).join(", ")}`;
      this.item.backgroundColor = undefined;
      this.item.show();
    } else {
      this.item.hide();
    }
  }

  dispose(): void {
    this.item.dispose();
  }
}
