/**
 * The extension's settings, read once per workspace folder, and the part of them the server reads.
 *
 * Pure (no `vscode` import) so the mapping is unit-tested. The server's keys are listed in
 * lsp/flasklint_lsp/settings.py (KNOWN_KEYS); tests/lsp/test_extension_settings.py checks that package.json
 * declares exactly those plus CLIENT_KEYS, which only the extension uses.
 */

export type RunMode = "onType" | "onSave";
export type SeverityName = "error" | "warning" | "information" | "hint";
export type NotificationLevel = "off" | "onError" | "onWarning" | "always";

/** What the language server reads (initializationOptions.settings and didChangeConfiguration). */
export interface ServerSettings {
  enable: boolean;
  select: string[];
  ignore: string[];
  severity: Record<string, SeverityName>;
  run: RunMode;
  debounce: number;
}

export interface ExtensionSettings extends ServerSettings {
  /** Raw `flasklint.interpreter`: empty means "ask the Python extension, then PATH". */
  interpreter: string;
  showNotifications: NotificationLevel;
}

/** A change to one of these starts, stops or replaces the server process. */
export const RESTART_KEYS = ["interpreter", "enable"] as const;
/** Settings only the extension (or vscode-languageclient, for `trace.server`) reads. */
export const CLIENT_KEYS = ["interpreter", "showNotifications", "trace.server"] as const;
export const SERVER_KEYS = ["enable", "select", "ignore", "severity", "run", "debounce"] as const;

/** The subset of `vscode.WorkspaceConfiguration` this module needs (so tests can pass a plain map). */
export interface ConfigurationReader {
  get<T>(section: string): T | undefined;
}

export const DEFAULTS: ExtensionSettings = {
  enable: true,
  interpreter: "",
  run: "onType",
  debounce: 200,
  select: [],
  ignore: [],
  severity: {},
  showNotifications: "onError",
};

/** The settings of one folder; values of the wrong type fall back to the default, never throw. */
export function readSettings(config: ConfigurationReader): ExtensionSettings {
  const pick = <K extends keyof ExtensionSettings>(key: K, valid: (value: unknown) => boolean): ExtensionSettings[K] => {
    const value = config.get<unknown>(key);
    return valid(value) ? (value as ExtensionSettings[K]) : DEFAULTS[key];
  };
  const isStringList = (value: unknown) => Array.isArray(value) && value.every((item) => typeof item === "string");
  return {
    enable: pick("enable", (v) => typeof v === "boolean"),
    interpreter: pick("interpreter", (v) => typeof v === "string"),
    run: pick("run", (v) => v === "onType" || v === "onSave"),
    debounce: pick("debounce", (v) => typeof v === "number" && Number.isFinite(v) && v >= 0),
    select: pick("select", isStringList),
    ignore: pick("ignore", isStringList),
    severity: pick("severity", (v) => typeof v === "object" && v !== null && !Array.isArray(v)),
    showNotifications: pick("showNotifications", (v) => ["off", "onError", "onWarning", "always"].includes(v as string)),
  };
}

/** The payload the server expects: `{"settings": {...}}` with the server's keys only. */
export function serverOptions(settings: ExtensionSettings): { settings: ServerSettings } {
  return {
    settings: {
      enable: settings.enable,
      select: [...settings.select],
      ignore: [...settings.ignore],
      severity: { ...settings.severity },
      run: settings.run,
      debounce: settings.debounce,
    },
  };
}

/** What a configuration change means for a running server of one folder. */
export function changeEffect(
  affects: (section: string) => boolean,
): "restart" | "reconfigure" | "none" {
  if (RESTART_KEYS.some((key) => affects(`flasklint.${key}`))) {
    return "restart";
  }
  if (SERVER_KEYS.some((key) => affects(`flasklint.${key}`))) {
    return "reconfigure";
  }
  return "none";
}

export type MessageLevel = "error" | "warning" | "info";

/** Whether a message of `level` pops up under `flasklint.showNotifications`. */
export function shouldNotify(setting: NotificationLevel, level: MessageLevel): boolean {
  switch (setting) {
    case "off":
      return false;
    case "onError":
      return level === "error";
    case "onWarning":
      return level !== "info";
    case "always":
      return true;
  }
}
