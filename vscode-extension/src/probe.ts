/**
 * Runs `python -m flasklint --version` before starting the server, so a missing or outdated
 * flasklint becomes one clear notification instead of a server that dies at start-up.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";

import type { PipStatus, ProbeOutput } from "./version";

const PROBE_TIMEOUT_MS = 20_000;

/**
 * `cwd` must be a directory outside the workspace: `python -m` puts the working directory first on
 * sys.path, so running from an untrusted repository would import a `flasklint` package planted in it.
 */
export function probeFlasklint(python: string, cwd: string): Promise<ProbeOutput> {
  return new Promise((resolve) => {
    execFile(
      python,
      ["-m", "flasklint", "--version"],
      { cwd, timeout: PROBE_TIMEOUT_MS, windowsHide: true, env: { ...process.env, PYTHONIOENCODING: "utf-8" } },
      (error, stdout, stderr) => {
        const spawnFailed = error !== null && typeof error.code === "string"; // ENOENT, EACCES, ...
        if (spawnFailed) {
          resolve({ code: null, stdout, stderr, spawnError: error.message });
          return;
        }
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : null;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

// PEP 668: a system Python marked EXTERNALLY-MANAGED refuses `pip install`, except inside a venv.
const PIP_STATUS_SCRIPT = `
import importlib.util, os, sys, sysconfig
if importlib.util.find_spec("pip") is None:
    print("no-pip")
elif sys.prefix == sys.base_prefix and os.path.exists(os.path.join(sysconfig.get_path("stdlib"), "EXTERNALLY-MANAGED")):
    print("externally-managed")
else:
    print("ok")
`;

/** Whether `pip install flasklint` can work in `python`, so the notification never offers a dead end. */
export function pipStatus(python: string, cwd: string): Promise<PipStatus> {
  return new Promise((resolve) => {
    execFile(python, ["-c", PIP_STATUS_SCRIPT], { cwd, timeout: PROBE_TIMEOUT_MS, windowsHide: true }, (error, stdout) => {
      const answer = stdout.trim();
      if (error !== null) {
        resolve("no-pip"); // an interpreter that cannot even run this cannot run pip either
      } else {
        resolve(answer === "no-pip" || answer === "externally-managed" ? answer : "ok");
      }
    });
  });
}

/** `python -m pip install --upgrade flasklint`, output streamed to `log` line by line. */
export function pipInstall(python: string, cwd: string, log: (line: string) => void): Promise<boolean> {
  return new Promise((resolve) => {
    const child = execFile(python, ["-m", "pip", "install", "--upgrade", "flasklint"], {
      cwd,
      windowsHide: true,
      maxBuffer: 16 * 1024 * 1024,
    });
    const forward = (chunk: string | Buffer) => {
      for (const line of chunk.toString().split(/\r?\n/)) {
        if (line.trim()) {
          log(line);
        }
      }
    };
    child.stdout?.on("data", forward);
    child.stderr?.on("data", forward);
    child.on("error", (error) => {
      log(error.message);
      resolve(false);
    });
    child.on("close", (code) => resolve(code === 0));
  });
}

/** A regular file this process may execute (what `resolveInterpreter` accepts as an interpreter). */
export function isExecutableFile(file: string): boolean {
  try {
    if (!fs.statSync(file).isFile()) {
      return false;
    }
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
