/**
 * The flasklint language server of one workspace folder (or, with no folder open, of the files
 * opened on their own): finds the interpreter, checks flasklint is
 * there, starts `python -m flasklint server` over stdio, forwards setting changes, stops it.
 * Start, stop and restart are queued, so a burst of setting changes never runs two servers at once.
 */
import * as os from "node:os";

import * as vscode from "vscode";
import {
  DidChangeConfigurationNotification,
  LanguageClient,
  type LanguageClientOptions,
  MessageType,
  RevealOutputChannelOn,
  type ServerOptions,
  ShowMessageNotification,
  State,
  TransportKind,
} from "vscode-languageclient/node";

import { documentSelector } from "./documents";
import { resolveInterpreter } from "./interpreter";
import type { Notifier } from "./notifier";
import { isExecutableFile, pipStatus, probeFlasklint } from "./probe";
import { selectedInterpreter } from "./python";
import { type ExtensionSettings, readSettings, serverOptions } from "./settings";
import type { StatusItem } from "./status";
import { type PipStatus, problemMessage, readProbe, type ProbeVerdict } from "./version";

export interface ServerEnvironment {
  log: vscode.LogOutputChannel;
  status: StatusItem;
  notifier: Notifier;
  /** A directory outside every workspace to run Python in (see probe.ts). */
  safeCwd: string;
  /** Offers to install flasklint into / pick another interpreter than `python`. */
  onInterpreterProblem: (problem: InterpreterProblem) => void;
}

export interface InterpreterProblem {
  python: string;
  verdict: Exclude<ProbeVerdict, { kind: "ok" }>;
  pip: PipStatus;
}

export class FolderServer {
  private client: LanguageClient | undefined;
  private queue: Promise<void> = Promise.resolve();
  private stopping = false;
  /** The interpreter of the last start, for "restart the servers that use this interpreter". */
  python: string | undefined;
  /** Set while this folder's interpreter cannot run flasklint: the folders a fix applies to. */
  unusableInterpreter: string | undefined;

  constructor(
    /** Undefined: the server of files opened without a workspace folder (`code app.py`). */
    readonly folder: vscode.WorkspaceFolder | undefined,
    private readonly env: ServerEnvironment,
  ) {}

  start(): Promise<void> {
    return this.enqueue(() => this.doStart());
  }

  stop(): Promise<void> {
    return this.enqueue(() => this.doStop());
  }

  restart(): Promise<void> {
    return this.enqueue(async () => {
      await this.doStop();
      await this.doStart();
    });
  }

  /** Sends the folder's current settings to the running server (no new process needed). */
  reconfigure(): Promise<void> {
    return this.enqueue(async () => {
      if (this.client?.state === State.Running) {
        const settings = serverOptions(this.settings()).settings;
        this.env.log.info(`[${this.name}] settings: ${JSON.stringify(settings)}`);
        await this.client.sendNotification(DidChangeConfigurationNotification.type, { settings });
      }
    });
  }

  private enqueue(step: () => Promise<void>): Promise<void> {
    this.queue = this.queue.then(step, step);
    return this.queue;
  }

  /**
   * After the user picked another interpreter in the Python extension: restart when it is now a
   * different one for this folder (the extension also fires this event for unchanged folders).
   */
  async restartIfInterpreterChanged(): Promise<void> {
    if (this.settings().interpreter.trim() !== "" || !vscode.workspace.isTrusted) {
      return; // flasklint.interpreter wins, and an untrusted workspace never uses the Python extension
    }
    const selected = await selectedInterpreter(this.folder?.uri);
    if (selected !== undefined && selected !== this.python) {
      this.env.log.info(`[${this.name}] the Python extension's interpreter is now ${selected}: restarting`);
      await this.restart();
    }
  }

  private settings(): ExtensionSettings {
    return readSettings(vscode.workspace.getConfiguration("flasklint", this.folder?.uri));
  }

  private async doStart(): Promise<void> {
    const name = this.name;
    const settings = this.settings();
    this.unusableInterpreter = undefined;
    if (!settings.enable) {
      this.env.log.info(`[${name}] flasklint.enable is false: no server for this folder`);
      this.env.status.forget(this.key);
      return;
    }
    this.env.status.set(this.key, { kind: "starting" });
    const resolution = await resolveInterpreter({
      setting: settings.interpreter,
      workspaceFolder: this.folder?.uri.fsPath ?? os.homedir(),
      home: os.homedir(),
      pythonExtension: () => selectedInterpreter(this.folder?.uri),
      trusted: vscode.workspace.isTrusted,
      env: { PATH: process.env.PATH, PATHEXT: process.env.PATHEXT },
      platform: process.platform,
      isExecutableFile,
    });
    if (!resolution.ok) {
      this.markFailed(resolution.message);
      void this.env.notifier.notify("error", resolution.message, [], `interpreter:${resolution.message}`);
      return;
    }
    const python = resolution.executable;
    this.python = python;
    this.env.log.info(`[${name}] interpreter: ${python} (from ${describeSource(resolution.source)})`);
    const verdict = readProbe(await probeFlasklint(python, this.env.safeCwd));
    if (verdict.kind !== "ok") {
      const pip = verdict.kind === "broken" ? "ok" : await pipStatus(python, this.env.safeCwd);
      this.unusableInterpreter = python;
      this.markFailed(problemMessage(verdict, python, pip));
      this.env.onInterpreterProblem({ python, verdict, pip });
      return;
    }
    this.unusableInterpreter = undefined;
    const args = ["-m", "flasklint", "server"];
    this.env.log.info(`[${name}] flasklint ${verdict.version}; server command: ${python} ${args.join(" ")} --stdio`);
    const client = this.createClient(python, args, settings);
    this.client = client;
    try {
      await client.start();
      this.env.status.set(this.key, { kind: "running" });
    } catch (error) {
      const message = `The flasklint server for ${name} did not start: ${errorText(error)}`;
      this.markFailed(message);
      void this.env.notifier.notify("error", message, [], `start:${python}`);
    }
  }

  private createClient(python: string, args: string[], settings: ExtensionSettings): LanguageClient {
    const server: ServerOptions = {
      command: python,
      args,
      transport: TransportKind.stdio,
      options: { cwd: this.env.safeCwd, env: { ...process.env, PYTHONIOENCODING: "utf-8" } },
    };
    const client: LanguageClientOptions = {
      documentSelector: documentSelector(this.folder?.uri.fsPath),
      ...(this.folder ? { workspaceFolder: this.folder } : {}),
      initializationOptions: serverOptions(settings),
      outputChannel: this.env.log,
      traceOutputChannel: this.env.log,
      // The server reports its own failures; the client must not pop up a second dialog per error.
      revealOutputChannelOn: RevealOutputChannelOn.Never,
    };
    const languageClient = new LanguageClient("flasklint", `flasklint (${this.name})`, server, client);
    languageClient.onNotification(ShowMessageNotification.type, ({ type, message }) => {
      const level = type === MessageType.Error ? "error" : type === MessageType.Warning ? "warning" : "info";
      void this.env.notifier.notify(level, message);
    });
    languageClient.onDidChangeState(({ newState }) => {
      if (newState === State.Stopped && !this.stopping) {
        this.env.log.error(`[${this.name}] the server stopped`);
        this.markFailed("the server stopped; see the flasklint log");
      } else if (newState === State.Running) {
        this.env.status.set(this.key, { kind: "running" });
      }
    });
    return languageClient;
  }

  private async doStop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client === undefined) {
      return;
    }
    this.stopping = true;
    try {
      if (client.needsStop()) {
        await client.stop();
      }
    } catch (error) {
      this.env.log.warn(`[${this.name}] stopping the server: ${errorText(error)}`);
    } finally {
      this.stopping = false;
      this.env.status.forget(this.key);
    }
  }

  async dispose(): Promise<void> {
    await this.stop();
    this.env.status.forget(this.key);
  }

  /** The status bar shows the failure; the caller has logged it (or notified, which logs). */
  private markFailed(reason: string): void {
    this.env.status.set(this.key, { kind: "failed", reason });
  }

  private get key(): string {
    return this.name;
  }

  get name(): string {
    return this.folder?.name ?? "files without a folder";
  }
}

function describeSource(source: "setting" | "python-extension" | "path"): string {
  return { setting: "flasklint.interpreter", "python-extension": "the Python extension", path: "PATH" }[source];
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
