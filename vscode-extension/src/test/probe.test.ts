/**
 * The probe against real interpreters: the repository's venv (flasklint installed) and a bare venv
 * made here without it. FLASKLINT_TEST_PYTHON overrides the first (CI sets nothing: ../.venv).
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, describe, it } from "node:test";

import { isExecutableFile, pipStatus, probeFlasklint } from "../probe";
import { readProbe } from "../version";

const repository = path.resolve(__dirname, "..", "..", "..");
const venvPython = process.env.FLASKLINT_TEST_PYTHON ?? path.join(repository, ".venv", "bin", "python");
const scratch = mkdtempSync(path.join(os.tmpdir(), "flasklint-probe-"));
after(() => rmSync(scratch, { recursive: true, force: true }));

describe("probeFlasklint", () => {
  it("reads the version of the installed flasklint", async () => {
    const verdict = readProbe(await probeFlasklint(venvPython, scratch));
    const expected = /^version = "([^"]+)"/m.exec(readFileSync(path.join(repository, "pyproject.toml"), "utf8"))?.[1];
    assert.deepEqual(verdict, { kind: "ok", version: expected });
  });

  it("says flasklint is missing in a Python without it, and that pip is missing too", async () => {
    const bare = path.join(scratch, "bare");
    execFileSync("python3", ["-m", "venv", "--without-pip", bare]);
    const python = path.join(bare, "bin", "python");
    assert.deepEqual(readProbe(await probeFlasklint(python, scratch)), { kind: "missing" });
    assert.equal(await pipStatus(python, scratch), "no-pip");
  });

  it("lets pip install into a virtual environment", async () => {
    assert.equal(await pipStatus(venvPython, scratch), "ok");
  });

  it("does not import a flasklint package from the workspace it runs in", async () => {
    const workspace = path.join(scratch, "untrusted");
    mkdirSync(path.join(workspace, "flasklint"), { recursive: true });
    writeFileSync(path.join(workspace, "flasklint", "__main__.py"), "print('flasklint 99.0.0 (planted)')\n");
    const planted = readProbe(await probeFlasklint(venvPython, workspace));
    const safe = readProbe(await probeFlasklint(venvPython, scratch));
    // Run from the workspace, python -m would pick the planted package: that is why the extension
    // runs Python from its own directory. This test pins that the hazard is real.
    assert.deepEqual(planted, { kind: "ok", version: "99.0.0" });
    assert.notEqual(safe.kind === "ok" ? safe.version : "", "99.0.0");
  });

  it("reports an interpreter that does not exist", async () => {
    const verdict = readProbe(await probeFlasklint(path.join(scratch, "no-such-python"), scratch));
    assert.equal(verdict.kind, "broken");
    assert.match(verdict.kind === "broken" ? verdict.detail : "", /ENOENT/);
  });
});

describe("isExecutableFile", () => {
  it("accepts executable files only", () => {
    const script = path.join(scratch, "tool");
    writeFileSync(script, "#!/bin/sh\n");
    chmodSync(script, 0o644);
    assert.equal(isExecutableFile(script), false); // even for root: execution needs an x bit
    chmodSync(script, 0o755);
    assert.equal(isExecutableFile(script), true);
    assert.equal(isExecutableFile(scratch), false);
    assert.equal(isExecutableFile(path.join(scratch, "missing")), false);
  });
});
