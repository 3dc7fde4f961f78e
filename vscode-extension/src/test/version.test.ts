import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { compareVersions, MINIMUM_VERSION, problemActions, problemMessage, readProbe } from "../version";

describe("readProbe", () => {
  it("accepts the installed version when it is new enough", () => {
    assert.deepEqual(readProbe({ code: 0, stdout: "flasklint 0.1.0\n", stderr: "" }), { kind: "ok", version: "0.1.0" });
    assert.deepEqual(readProbe({ code: 0, stdout: "flasklint 1.2.3.dev4+g1234\n", stderr: "" }), {
      kind: "ok",
      version: "1.2.3",
    });
  });

  it("recognises a Python without flasklint", () => {
    const stderr = "/usr/bin/python3: No module named flasklint\n";
    assert.deepEqual(readProbe({ code: 1, stdout: "", stderr }), { kind: "missing" });
  });

  it("flags a version older than the minimum", () => {
    assert.deepEqual(readProbe({ code: 0, stdout: "flasklint 0.0.9\n", stderr: "" }), { kind: "outdated", version: "0.0.9" });
  });

  it("keeps the last lines of a traceback when flasklint is broken", () => {
    const stderr = "Traceback (most recent call last):\n  File ...\n  File ...\nImportError: cannot import name 'x' from 'libcst'\n";
    const verdict = readProbe({ code: 1, stdout: "", stderr });
    assert.equal(verdict.kind, "broken");
    assert.match(verdict.kind === "broken" ? verdict.detail : "", /ImportError: cannot import name 'x' from 'libcst'$/);
  });

  it("reports an interpreter that cannot be started", () => {
    const verdict = readProbe({ code: null, stdout: "", stderr: "", spawnError: "spawn /x/python ENOENT" });
    assert.deepEqual(verdict, { kind: "broken", detail: "spawn /x/python ENOENT" });
  });

  it("rejects output that is not flasklint's version line", () => {
    assert.equal(readProbe({ code: 0, stdout: "Python 3.12.1\n", stderr: "" }).kind, "broken");
  });
});

describe("compareVersions", () => {
  it("compares numerically, part by part", () => {
    assert.equal(compareVersions("0.10.0", "0.9.1"), 1);
    assert.equal(compareVersions("0.1", "0.1.0"), 0);
    assert.equal(compareVersions("1.0.0", "1.0.1"), -1);
  });
});

describe("problemMessage", () => {
  it("names the interpreter and what to do", () => {
    assert.equal(
      problemMessage({ kind: "missing" }, "/usr/bin/python3"),
      "flasklint is not installed in /usr/bin/python3. Install it there, or pick an interpreter that has it.",
    );
    assert.match(problemMessage({ kind: "outdated", version: "0.0.1" }, "/p"), new RegExp(`0\\.0\\.1 in /p is older than ${MINIMUM_VERSION}`));
  });
});

describe("problemMessage and problemActions by what pip can do", () => {
  const missing = { kind: "missing" } as const;
  it("offers to install only where pip can install", () => {
    assert.deepEqual(problemActions(missing, "ok"), ["Install flasklint", "Select Interpreter", "Show Logs"]);
    assert.deepEqual(problemActions({ kind: "outdated", version: "0.0.1" }, "ok"), ["Upgrade flasklint", "Select Interpreter", "Show Logs"]);
    assert.deepEqual(problemActions(missing, "no-pip"), ["Select Interpreter", "Show Logs"]);
    assert.deepEqual(problemActions(missing, "externally-managed"), ["Select Interpreter", "Show Logs"]);
    assert.deepEqual(problemActions({ kind: "broken", detail: "x" }, "ok"), ["Select Interpreter", "Show Logs"]);
  });

  it("says why installing is not offered", () => {
    assert.equal(
      problemMessage(missing, "/usr/bin/python3", "externally-managed"),
      "flasklint is not installed in /usr/bin/python3. It is a system Python that pip may not change: pick an interpreter that has flasklint, e.g. a virtual environment's.",
    );
    assert.match(problemMessage(missing, "/v/bin/python", "no-pip"), /It has no pip to install it with/);
  });
});
