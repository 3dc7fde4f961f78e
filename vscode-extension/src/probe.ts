/**
 * Runs `python -m flasklint --version` before starting the server, so a missing or outdated
 * flasklint becomes one clear notification instead of a server that dies at start-up.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";

import type { ProbeOutput } from "./version";

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
