/**
 * Every message flasklint shows goes through here: written to the log always, popped up only as
 * `flasklint.showNotifications` allows, and each distinct problem at most once until a restart
 * (so a missing flasklint in three folders is still one notification).
 */
import * as vscode from "vscode";

import { type MessageLevel, type NotificationLevel, shouldNotify } from "./settings";

export class Notifier {
  private readonly shown = new Set<string>();

  constructor(
    private readonly log: vscode.LogOutputChannel,
    private readonly level: () => NotificationLevel,
  ) {}

  /** Shows `message` unless muted or already shown under `key`; resolves to the chosen action. */
  async notify<T extends string>(level: MessageLevel, message: string, actions: T[] = [], key?: string): Promise<T | undefined> {
    this.write(level, message);
    if (!shouldNotify(this.level(), level)) {
      return undefined;
    }
    if (key !== undefined) {
      if (this.shown.has(key)) {
        return undefined;
      }
      this.shown.add(key);
    }
    const show =
      level === "error"
        ? vscode.window.showErrorMessage
        : level === "warning"
          ? vscode.window.showWarningMessage
          : vscode.window.showInformationMessage;
    return show<T>(message, ...actions);
  }

  /** Forget what was shown: after an explicit restart the user wants to hear about problems again. */
  reset(): void {
    this.shown.clear();
  }

  private write(level: MessageLevel, message: string): void {
    if (level === "error") {
      this.log.error(message);
    } else if (level === "warning") {
      this.log.warn(message);
    } else {
      this.log.info(message);
    }
  }
}
