import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { expandSetting, findOnPath, type InterpreterInputs, resolveInterpreter } from "../interpreter";

/** Inputs where exactly the files in `executables` exist and are executable. */
function inputs(overrides: Partial<InterpreterInputs>, executables: string[] = []): InterpreterInputs {
  const files = new Set(executables);
  return {
    setting: "",
    workspaceFolder: "/work/app",
    home: "/home/dev",
    pythonExtension: async () => undefined,
    trusted: true,
    env: { PATH: "/usr/local/bin:/usr/bin" },
    platform: "linux",
    isExecutableFile: (file) => files.has(file),
    ...overrides,
  };
}

describe("resolveInterpreter order", () => {
  it("uses flasklint.interpreter before the Python extension and PATH", async () => {
    const result = await resolveInterpreter(
      inputs({ setting: "/opt/py/bin/python", pythonExtension: async () => "/work/app/.venv/bin/python" }, [
        "/opt/py/bin/python",
        "/work/app/.venv/bin/python",
        "/usr/bin/python3",
      ]),
    );
    assert.deepEqual(result, { ok: true, executable: "/opt/py/bin/python", source: "setting" });
  });

  it("uses the Python extension's interpreter before python3 on PATH", async () => {
    const result = await resolveInterpreter(
      inputs({ pythonExtension: async () => "/work/app/.venv/bin/python" }, ["/work/app/.venv/bin/python", "/usr/bin/python3"]),
    );
    assert.deepEqual(result, { ok: true, executable: "/work/app/.venv/bin/python", source: "python-extension" });
  });

  it("falls back to python3 on PATH, first PATH entry first", async () => {
    const result = await resolveInterpreter(inputs({}, ["/usr/bin/python3", "/usr/local/bin/python3"]));
    assert.deepEqual(result, { ok: true, executable: "/usr/local/bin/python3", source: "path" });
  });

  it("falls back to PATH when the Python extension has no interpreter or a missing one", async () => {
    const none = await resolveInterpreter(inputs({ pythonExtension: async () => undefined }, ["/usr/bin/python3"]));
    const gone = await resolveInterpreter(inputs({ pythonExtension: async () => "/deleted/venv/bin/python" }, ["/usr/bin/python3"]));
    assert.deepEqual(none, { ok: true, executable: "/usr/bin/python3", source: "path" });
    assert.deepEqual(gone, { ok: true, executable: "/usr/bin/python3", source: "path" });
  });

  it("does not ask the Python extension in an untrusted workspace (its venv may be planted there)", async () => {
    let asked = false;
    const result = await resolveInterpreter(
      inputs(
        {
          trusted: false,
          pythonExtension: async () => {
            asked = true;
            return "/work/app/.venv/bin/python";
          },
        },
        ["/work/app/.venv/bin/python", "/usr/bin/python3"],
      ),
    );
    assert.equal(asked, false);
    assert.deepEqual(result, { ok: true, executable: "/usr/bin/python3", source: "path" });
  });

  it("reports a setting that names no executable instead of silently using another Python", async () => {
    const result = await resolveInterpreter(inputs({ setting: "~/venvs/app/bin/python" }, ["/usr/bin/python3"]));
    assert.deepEqual(result, {
      ok: false,
      message:
        'flasklint.interpreter is set to "~/venvs/app/bin/python", but /home/dev/venvs/app/bin/python is not an executable file.',
    });
  });

  it("finds a bare command name of the setting on PATH", async () => {
    const result = await resolveInterpreter(inputs({ setting: "python3.12" }, ["/usr/bin/python3.12"]));
    assert.deepEqual(result, { ok: true, executable: "/usr/bin/python3.12", source: "setting" });
  });

  it("explains what to do when no Python is found at all", async () => {
    const result = await resolveInterpreter(inputs({ env: { PATH: "/nothing/here" } }));
    assert.equal(result.ok, false);
    assert.match(!result.ok ? result.message : "", /python3 or python is not on PATH\. Set flasklint\.interpreter/);
  });
});

describe("expandSetting", () => {
  it("expands ${workspaceFolder}, ${userHome} and ~, and resolves relative paths against the folder", () => {
    assert.equal(expandSetting("${workspaceFolder}/.venv/bin/python", "/work/app", "/home/dev"), "/work/app/.venv/bin/python");
    assert.equal(expandSetting("${userHome}/py/bin/python", "/work/app", "/home/dev"), "/home/dev/py/bin/python");
    assert.equal(expandSetting("~/py/bin/python", "/work/app", "/home/dev"), "/home/dev/py/bin/python");
    assert.equal(expandSetting(".venv/bin/python", "/work/app", "/home/dev"), "/work/app/.venv/bin/python");
    assert.equal(expandSetting("/abs/python", "/work/app", "/home/dev"), "/abs/python");
  });
});

describe("findOnPath", () => {
  it("skips empty PATH entries, which would mean the (untrusted) current directory", () => {
    const found = findOnPath("python3", {
      env: { PATH: ":/usr/bin" },
      platform: "linux",
      isExecutableFile: (file) => file === "python3" || file === "/usr/bin/python3",
    });
    assert.equal(found, "/usr/bin/python3");
  });

  it("tries PATHEXT suffixes on Windows", () => {
    const found = findOnPath("python", {
      env: { PATH: "C:\\Tools;C:\\Python312", PATHEXT: ".COM;.EXE" },
      platform: "win32",
      isExecutableFile: (file) => file === "C:\\Python312\\python.exe",
    });
    assert.equal(found, "C:\\Python312\\python.exe");
  });
});
