import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";

import { changeEffect, CLIENT_KEYS, DEFAULTS, readSettings, SERVER_KEYS, serverOptions, shouldNotify } from "../settings";

const manifest = JSON.parse(readFileSync(path.join(__dirname, "..", "..", "package.json"), "utf8"));
const properties: Record<string, { default: unknown }> = manifest.contributes.configuration.properties;

function reader(values: Record<string, unknown>) {
  return { get: <T>(key: string) => values[key] as T | undefined };
}

describe("package.json settings", () => {
  it("declares exactly the server's keys plus the extension's own", () => {
    const declared = Object.keys(properties).map((key) => key.replace(/^flasklint\./, "")).sort();
    assert.deepEqual(declared, [...SERVER_KEYS, ...CLIENT_KEYS].sort());
    assert.equal(SERVER_KEYS.filter((key) => (CLIENT_KEYS as readonly string[]).includes(key)).length, 0);
  });

  it("has the same defaults as the code", () => {
    for (const [key, value] of Object.entries(DEFAULTS)) {
      assert.deepEqual(properties[`flasklint.${key}`]?.default, value, key);
    }
  });
});

describe("readSettings", () => {
  it("reads valid values", () => {
    const settings = readSettings(
      reader({ enable: false, run: "onSave", select: ["FLK1"], ignore: ["FLK203"], severity: { FLK2: "hint" }, debounce: 0 }),
    );
    assert.equal(settings.enable, false);
    assert.equal(settings.run, "onSave");
    assert.deepEqual(settings.select, ["FLK1"]);
    assert.deepEqual(settings.severity, { FLK2: "hint" });
    assert.equal(settings.debounce, 0);
  });

  it("falls back to the default for a value of the wrong type instead of throwing", () => {
    const settings = readSettings(reader({ enable: "yes", run: "always", select: "FLK1", debounce: -5, severity: [] }));
    assert.deepEqual(settings, DEFAULTS);
  });
});

describe("serverOptions", () => {
  it("sends the server's keys only, wrapped in `settings`", () => {
    const options = serverOptions({ ...DEFAULTS, interpreter: "/x/python", showNotifications: "always", select: ["FLK1"] });
    assert.deepEqual(Object.keys(options), ["settings"]);
    assert.deepEqual(Object.keys(options.settings).sort(), [...SERVER_KEYS].sort());
    assert.deepEqual(options.settings.select, ["FLK1"]);
  });
});

describe("changeEffect", () => {
  const changed = (...sections: string[]) => (section: string) => sections.includes(section);
  it("restarts for a new interpreter or enable, reconfigures for lint settings", () => {
    assert.equal(changeEffect(changed("flasklint.interpreter")), "restart");
    assert.equal(changeEffect(changed("flasklint.enable")), "restart");
    assert.equal(changeEffect(changed("flasklint.select")), "reconfigure");
    assert.equal(changeEffect(changed("flasklint.severity", "flasklint.run")), "reconfigure");
    assert.equal(changeEffect(changed("flasklint.showNotifications")), "none");
    assert.equal(changeEffect(changed("editor.fontSize")), "none");
  });
});

describe("shouldNotify", () => {
  it("follows flasklint.showNotifications", () => {
    const table = (["off", "onError", "onWarning", "always"] as const).map((setting) =>
      (["error", "warning", "info"] as const).map((level) => shouldNotify(setting, level)),
    );
    assert.deepEqual(table, [
      [false, false, false],
      [true, false, false],
      [true, true, false],
      [true, true, true],
    ]);
  });
});
