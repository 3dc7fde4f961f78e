/**
 * Which Python runs `python -m flasklint server` for a workspace folder.
 *
 * Order (issue 4): the `flasklint.interpreter` setting, then the interpreter selected in the Python
 * extension, then `python3` on PATH. Pure: the file system, PATH and the Python extension come in
 * as parameters, so the order and the error messages are unit-tested without VS Code.
 */
import * as path from "node:path";

export type InterpreterSource = "setting" | "python-extension" | "path";

export type Resolution =
  | { ok: true; executable: string; source: InterpreterSource }
  | { ok: false; message: string };

export interface InterpreterInputs {
  /** Raw `flasklint.interpreter`; empty or whitespace means "not set". */
  setting: string;
  workspaceFolder: string;
  home: string;
  /** The Python extension's interpreter for this folder; undefined when it is absent or has none. */
  pythonExtension: () => Promise<string | undefined>;
  /** False in a Restricted Mode workspace: the Python extension's choice may be a venv inside it. */
  trusted: boolean;
  env: { PATH?: string | undefined; PATHEXT?: string | undefined };
  platform: NodeJS.Platform;
  isExecutableFile: (file: string) => boolean;
}

export async function resolveInterpreter(inputs: InterpreterInputs): Promise<Resolution> {
  const setting = inputs.setting.trim();
  if (setting) {
    const executable = expandSetting(setting, inputs.workspaceFolder, inputs.home);
    if (inputs.isExecutableFile(executable)) {
      return { ok: true, executable, source: "setting" };
    }
    const found = looksLikeBareCommand(setting) ? findOnPath(setting, inputs) : undefined;
    if (found) {
      return { ok: true, executable: found, source: "setting" };
    }
    return {
      ok: false,
      message: `flasklint.interpreter is set to "${setting}", but ${executable} is not an executable file.`,
    };
  }
  if (inputs.trusted) {
    const selected = await inputs.pythonExtension();
    if (selected && inputs.isExecutableFile(selected)) {
      return { ok: true, executable: selected, source: "python-extension" };
    }
  }
  const names = inputs.platform === "win32" ? ["python", "py"] : ["python3", "python"];
  for (const name of names) {
    const found = findOnPath(name, inputs);
    if (found) {
      return { ok: true, executable: found, source: "path" };
    }
  }
  return {
    ok: false,
    message: `No Python interpreter found: ${names.join(" or ")} is not on PATH. Set flasklint.interpreter to a Python that has flasklint installed.`,
  };
}

/** `${workspaceFolder}`, `${userHome}` and a leading `~` expanded; relative paths against the folder. */
export function expandSetting(setting: string, workspaceFolder: string, home: string): string {
  let expanded = setting
    .replace(/\$\{workspaceFolder\}/g, workspaceFolder)
    .replace(/\$\{userHome\}/g, home);
  if (expanded === "~" || expanded.startsWith("~/") || expanded.startsWith("~\\")) {
    expanded = home + expanded.slice(1);
  }
  return path.resolve(workspaceFolder, expanded);
}

function looksLikeBareCommand(setting: string): boolean {
  return !setting.includes("/") && !setting.includes("\\") && !setting.includes("$") && !setting.startsWith("~");
}

/** The first PATH entry holding `name` (with PATHEXT suffixes on Windows), as an absolute path. */
export function findOnPath(
  name: string,
  inputs: Pick<InterpreterInputs, "env" | "platform" | "isExecutableFile">,
): string | undefined {
  const delimiter = inputs.platform === "win32" ? ";" : ":";
  const suffixes =
    inputs.platform === "win32" ? ["", ...(inputs.env.PATHEXT ?? ".EXE;.CMD;.BAT").split(";").map((s) => s.toLowerCase())] : [""];
  const join = inputs.platform === "win32" ? path.win32.join : path.posix.join;
  for (const directory of (inputs.env.PATH ?? "").split(delimiter)) {
    if (!directory) {
      continue; // an empty entry means the current directory: never run a python found there
    }
    for (const suffix of suffixes) {
      const candidate = join(directory, name + suffix);
      if (inputs.isExecutableFile(candidate)) {
        return candidate;
      }
    }
  }
  return undefined;
}
