/**
 * Whether an interpreter can run the flasklint server: the probe runs `python -m flasklint --version`
 * and this module reads its outcome. Pure, so every outcome's message is unit-tested.
 */

/** The oldest flasklint whose `server` speaks what this extension sends (settings keys, fixAll kind). */
export const MINIMUM_VERSION = "0.1.0";

export interface ProbeOutput {
  /** Exit code; null when the process could not start at all (e.g. ENOENT) or was killed. */
  code: number | null;
  stdout: string;
  stderr: string;
  /** The spawn error's message, when the process did not start. */
  spawnError?: string;
}

export type ProbeVerdict =
  | { kind: "ok"; version: string }
  | { kind: "missing" }
  | { kind: "outdated"; version: string }
  | { kind: "broken"; detail: string };

export function readProbe(output: ProbeOutput): ProbeVerdict {
  if (output.spawnError !== undefined) {
    return { kind: "broken", detail: output.spawnError };
  }
  if (output.code !== 0) {
    if (/No module named '?flasklint/.test(output.stderr)) {
      return { kind: "missing" };
    }
    const detail = output.stderr.trim().split("\n").slice(-3).join("\n") || `exit code ${output.code}`;
    return { kind: "broken", detail };
  }
  const match = /^flasklint (\d+(?:\.\d+)*)\S*/m.exec(output.stdout);
  if (!match || match[1] === undefined) {
    return { kind: "broken", detail: `unexpected output of flasklint --version: ${output.stdout.trim()}` };
  }
  const version = match[1];
  return compareVersions(version, MINIMUM_VERSION) < 0 ? { kind: "outdated", version } : { kind: "ok", version };
}

/** Numeric comparison of dotted versions ("0.10.0" > "0.9.1"); missing parts count as 0. */
export function compareVersions(a: string, b: string): number {
  const left = a.split(".").map(Number);
  const right = b.split(".").map(Number);
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const difference = (left[i] ?? 0) - (right[i] ?? 0);
    if (difference !== 0) {
      return Math.sign(difference);
    }
  }
  return 0;
}

/** Whether `python -m pip install` can put flasklint into the interpreter (see probe.ts pipStatus). */
export type PipStatus = "ok" | "no-pip" | "externally-managed";

/** The one notification's text for a probe that failed. */
export function problemMessage(
  verdict: Exclude<ProbeVerdict, { kind: "ok" }>,
  interpreter: string,
  pip: PipStatus = "ok",
): string {
  if (verdict.kind === "broken") {
    return `flasklint could not run in ${interpreter}: ${verdict.detail}`;
  }
  const problem =
    verdict.kind === "missing"
      ? `flasklint is not installed in ${interpreter}.`
      : `flasklint ${verdict.version} in ${interpreter} is older than ${MINIMUM_VERSION}, which this extension needs.`;
  switch (pip) {
    case "ok":
      return `${problem} ${verdict.kind === "missing" ? "Install it there" : "Upgrade it"}, or pick an interpreter that has it.`;
    case "no-pip":
      return `${problem} It has no pip to install it with: pick an interpreter that has flasklint, e.g. a virtual environment's.`;
    case "externally-managed":
      return `${problem} It is a system Python that pip may not change: pick an interpreter that has flasklint, e.g. a virtual environment's.`;
  }
}

/** The notification's buttons: installing is offered only where pip can do it. */
export function problemActions(verdict: Exclude<ProbeVerdict, { kind: "ok" }>, pip: PipStatus): string[] {
  const install = verdict.kind === "outdated" ? "Upgrade flasklint" : "Install flasklint";
  return verdict.kind !== "broken" && pip === "ok"
    ? [install, "Select Interpreter", "Show Logs"]
    : ["Select Interpreter", "Show Logs"];
}
