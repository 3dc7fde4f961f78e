"use strict";
// Driving VS Code's web workbench (code-server) through the UI a user sees, with playwright-core.
// The selectors are VS Code internals (checked on code-server 4.139.1 = VS Code 1.139.1, English UI),
// which is why tests/install-editors.sh pins code-server.
// Every wait polls a condition with a timeout; nothing sleeps for a fixed time.

const fs = require("fs");
const path = require("path");

const { chromium } = require("playwright-core");

const CHROMIUM_ARGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];
const STEP_TIMEOUT_MS = 30_000;

/** Debian's chromium with a throwaway profile; playwright-core downloads no browser of its own. */
async function launchBrowser(executablePath, profileDir) {
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1400, height: 900 },
  });
  context.setDefaultTimeout(STEP_TIMEOUT_MS);
  const page = context.pages()[0] || (await context.newPage());
  return { context, page };
}

async function openWorkbench(page, baseUrl, folder) {
  const url = new URL(baseUrl);
  url.searchParams.set("folder", folder);
  await page.goto(url.href, { waitUntil: "domcontentloaded" });
  await page.waitForSelector(".monaco-workbench .part.editor", { timeout: 60_000 });
}

/** Polls `probe` until it returns a truthy value; the last value or error goes into the timeout message. */
async function waitFor(description, probe, timeoutMs = STEP_TIMEOUT_MS, intervalMs = 250) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let seen;
    try {
      const value = await probe();
      if (value) return value;
      seen = `last seen: ${JSON.stringify(value)}`;
    } catch (error) {
      seen = `last error: ${error.message}`;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${description} (${seen})`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** A CSS attribute-value string (JSON's escaping of `"` and `\` is valid CSS). */
const cssString = (text) => JSON.stringify(text);

/** The focused quick-input row labelled `title`, or `title` followed by ", <keybinding>". */
function focusedQuickInputRow(page, title) {
  const row = ".quick-input-widget .monaco-list-row.focused";
  return page.locator(`${row}[aria-label=${cssString(title)}], ${row}[aria-label^=${cssString(title + ",")}]`);
}

/** Runs a command from the Command Palette (F1), as a user would, once its exact title is the focused entry. */
async function runCommand(page, title) {
  await page.keyboard.press("F1");
  await page.locator(".quick-input-widget input").waitFor({ state: "visible" });
  await page.keyboard.type(title);
  const entry = focusedQuickInputRow(page, title);
  await entry.waitFor({ state: "visible" });
  await page.keyboard.press("Enter");
  await entry.waitFor({ state: "hidden" }); // the palette closed, or moved on to the command's own input
}

/** Opens a workspace file with "Go to File..." and waits until its editor tab is the active one. */
async function openFile(page, relativePath) {
  const name = relativePath.split("/").pop();
  await runCommand(page, "Go to File...");
  await page.keyboard.type(relativePath);
  await page.locator(`.quick-input-widget .monaco-list-row.focused[aria-label^=${cssString(name)}]`).waitFor();
  await page.keyboard.press("Enter");
  await page.locator(`.tabs-container .tab.active[data-resource-name=${cssString(name)}]`).waitFor();
  await page.locator(".editor-group-container.active .monaco-editor .view-lines").first().waitFor();
}

/** "Go to Line/Column...", then the status bar tells that the cursor sits on that line and column. */
async function goToPosition(page, line, column) {
  await runCommand(page, "Go to Line/Column...");
  await page.keyboard.type(`${line}:${column}`);
  await page.keyboard.press("Enter");
  const position = `Ln ${line}, Col ${column}`;
  const cursorThere = async () => (await page.locator(".statusbar").innerText()).includes(position);
  await waitFor(`the cursor at ${position}`, cursorThere);
}

/**
 * The Problems panel as a user reads it: { "<folder>/<file>": [[code, line, column, source], ...] }.
 * The tree is virtualised (only the rows in view exist in the DOM), so read it with the panel maximised;
 * each file's announced count is checked against the rows read.
 */
async function readProblems(page) {
  const rows = await page.locator(".markers-panel .monaco-list-row").evaluateAll((elements) =>
    elements.map((row) => ({
      index: Number(row.getAttribute("data-index")),
      level: row.getAttribute("aria-level"),
      label: row.getAttribute("aria-label") || "",
      code: row.querySelector(".marker-code")?.textContent.trim() ?? null,
      source: row.querySelector(".marker-source")?.textContent.trim() ?? null,
      position: row.querySelector(".marker-line")?.textContent.trim() ?? null,
    })),
  );
  rows.sort((a, b) => a.index - b.index);
  const problems = {};
  const announced = {};
  let file = null;
  for (const row of rows) {
    if (row.level === "1") {
      const header = /^(\d+) problems? in file (.+) of folder (.+)$/.exec(row.label);
      if (!header) throw new Error(`unexpected Problems header: ${row.label}`);
      file = header[3] === "." ? header[2] : `${header[3]}/${header[2]}`;
      announced[file] = Number(header[1]);
      problems[file] = [];
    } else if (file !== null) {
      const [, line, column] = /^\[Ln (\d+), Col (\d+)\]$/.exec(row.position || "") || [];
      problems[file].push([row.code, Number(line), Number(column), row.source]);
    }
  }
  for (const [path, count] of Object.entries(announced)) {
    if (problems[path].length !== count) {
      throw new Error(`the Problems panel shows ${problems[path].length} of the ${count} problems of ${path}`);
    }
  }
  return problems;
}

/** A maximised panel hides the editor area, which VS Code marks on the workbench element. */
function isPanelMaximized(page) {
  return page.locator(".monaco-workbench").evaluate((workbench) => workbench.classList.contains("nomaineditorarea"));
}

/** Maximises (or restores) the panel with "View: Toggle Maximized Panel". */
async function setPanelMaximized(page, maximized) {
  if ((await isPanelMaximized(page)) === maximized) return;
  await runCommand(page, "View: Toggle Maximized Panel");
  const done = async () => (await isPanelMaximized(page)) === maximized;
  await waitFor(`the panel ${maximized ? "maximised" : "restored"}`, done);
}

const QUICK_FIX_ENTRIES = ".action-widget .monaco-list-row.action";

/** Opens the Quick Fix menu (Ctrl+.) and returns its entries' labels ("<title>, <kind>"). */
async function openQuickFixMenu(page) {
  await page.keyboard.press("Control+Period");
  await page.locator(QUICK_FIX_ENTRIES).first().waitFor();
  return page.locator(QUICK_FIX_ENTRIES).evaluateAll((rows) => rows.map((row) => row.getAttribute("aria-label")));
}

/**
 * Moves the Quick Fix menu's focus with the keyboard to the entry starting with `prefix`; returns its label.
 * Keyboard, not clicks: in some VS Code versions a pointer block over the menu swallows clicks.
 */
async function focusMenuEntry(page, prefix, entries) {
  if (!entries.some((entry) => entry.startsWith(prefix))) {
    throw new Error(`no Quick Fix entry starts with ${JSON.stringify(prefix)}: ${JSON.stringify(entries)}`);
  }
  const focused = () =>
    page.locator(`${QUICK_FIX_ENTRIES}.focused`).evaluateAll((rows) => rows[0]?.getAttribute("aria-label") ?? "");
  for (let moves = 0; moves <= entries.length; moves += 1) {
    const label = await focused();
    if (label.startsWith(prefix)) return label;
    await page.keyboard.press("ArrowDown");
    await waitFor("the Quick Fix menu's focus to move", async () => (await focused()) !== label, 5_000, 50);
  }
  throw new Error(`the keyboard never reached the Quick Fix entry ${JSON.stringify(prefix)}`);
}

/** The notification toasts on screen (e.g. "flasklint is not installed"), for failure reports. */
function notifications(page) {
  const toasts = page.locator(".notifications-toasts .notification-toast");
  return toasts.evaluateAll((elements) => elements.map((toast) => toast.innerText));
}

/** The visible notification toasts as { message, source, buttons } (source: the extension's name). */
function notificationToasts(page) {
  const toasts = page.locator(".notifications-toasts .notification-toast");
  return toasts.evaluateAll((elements) =>
    elements
      .filter((toast) => toast.checkVisibility())
      .map((toast) => ({
        message: toast.querySelector(".notification-list-item-message")?.textContent.trim() ?? "",
        source: (toast.querySelector(".notification-list-item-source")?.textContent ?? "")
          .replace(/^Source: /, "")
          .trim(),
        buttons: [...toast.querySelectorAll(".notification-list-item-buttons-container .monaco-button")]
          .map((button) => button.textContent.trim()),
      })),
  );
}

/** Clicks the button `label` of the toast whose message is `message`, and waits for the toast to close. */
async function clickNotificationButton(page, message, label) {
  const toast = page
    .locator(".notifications-toasts .notification-toast")
    .filter({ has: page.locator(".notification-list-item-message", { hasText: message }) });
  const buttons = toast.locator(".notification-list-item-buttons-container");
  await buttons.getByRole("button", { name: label, exact: true }).click();
  await toast.waitFor({ state: "detached" });
}

/**
 * A status bar item as { text, icon } (`$(error) flasklint` reads { text: "flasklint", icon: "error" }), or null
 * when it is not shown. `id` is VS Code's element id: "<extension id>.<the item's id>".
 */
async function statusBarItem(page, id) {
  const items = await page.locator(`.statusbar-item[id=${cssString(id)}]`).evaluateAll((elements) =>
    elements
      .filter((item) => item.checkVisibility())
      .map((item) => {
        const icon = item.querySelector(".codicon");
        const isIcon = (name) => name.startsWith("codicon-") && !name.startsWith("codicon-modifier");
        const name = icon ? [...icon.classList].find(isIcon) : undefined;
        return { text: item.innerText.trim(), icon: name ? name.slice("codicon-".length) : null };
      }),
  );
  return items[0] ?? null;
}

/**
 * Answers `window.showOpenDialog` in code-server, which is VS Code's "simple file dialog": a quick input with
 * a path box, titled `title`, that opens on `startFolder`. Replaces the path with `file` and accepts it.
 * Enter only accepts once the dialog lists `file`'s folder (before that, Enter just navigates there), so
 * this waits for the listing to change first.
 */
async function pickFileInFileDialog(page, title, startFolder, file) {
  const widget = page.locator(".quick-input-widget");
  const input = widget.locator(".quick-input-box input");
  const rows = () =>
    widget.locator(".monaco-list-row").evaluateAll((elements) => elements.map((row) => row.getAttribute("aria-label")));
  const startValue = startFolder.endsWith("/") ? startFolder : `${startFolder}/`;
  const loaded = async () =>
    (await widget.locator(".quick-input-title").innerText()) === title &&
    (await input.inputValue()) === startValue &&
    (await rows()).length > 1 && // ".." and the folder's entries
    (await rows());
  const startRows = JSON.stringify(await waitFor(`the file dialog "${title}" on ${startValue}`, loaded));
  await input.focus();
  await page.keyboard.press("Control+a");
  await page.keyboard.insertText(file);
  if (path.dirname(file) !== path.resolve(startFolder)) {
    const moved = async () => (await input.inputValue()) === file && JSON.stringify(await rows()) !== startRows;
    await waitFor(`the file dialog to list ${path.dirname(file)}`, moved);
  }
  await page.keyboard.press("Enter");
  await widget.waitFor({ state: "hidden" });
}

/**
 * Waits until the Problems panel lists exactly the expected flasklint problems of each expected file
 * ({ file: [[code, line, column], ...] }) and returns everything it lists. Reads with the panel maximised
 * (the list is virtualised), then restores it for the screenshots.
 */
async function waitForProblems(page, expected, timeoutMs) {
  await setPanelMaximized(page, true);
  const wanted = JSON.stringify(normalise(expected));
  const matches = async () => {
    const problems = await readProblems(page);
    return JSON.stringify(normalise(flasklintOnly(problems, Object.keys(expected)))) === wanted && problems;
  };
  const listed = await waitFor(`the Problems panel to list ${wanted}`, matches, timeoutMs);
  await setPanelMaximized(page, false);
  return listed;
}

function flasklintOnly(problems, files) {
  const rows = (file) => (problems[file] || []).filter(([, , , source]) => source === "flasklint");
  return Object.fromEntries(files.map((file) => [file, rows(file)]));
}

/** Files sorted, each file's [code, line, column] rows sorted by position then code. */
function normalise(problems) {
  const byPosition = (a, b) => a[1] - b[1] || a[2] - b[2] || a[0].localeCompare(b[0]);
  return Object.fromEntries(
    Object.keys(problems)
      .sort()
      .map((file) => [file, problems[file].map(([code, line, column]) => [code, line, column]).sort(byPosition)]),
  );
}

/** The "flasklint" output channel's log files, under the user-data-dir's logs/. */
function flasklintLogFiles(logsDir) {
  if (!fs.existsSync(logsDir)) return [];
  return fs
    .readdirSync(logsDir, { recursive: true, withFileTypes: true })
    .map((entry) => path.join(entry.parentPath, entry.name))
    .filter((file) => /flasklint/i.test(path.relative(logsDir, file)) && fs.statSync(file).isFile());
}

/**
 * The frame of every scenario script: `node <script> <config.json>`. Reads the config (written by
 * tests/test_vscode_extension.py), opens a browser, runs `scenario(page, config, result, step)` and writes
 * `result` (the steps' timings, screenshots, what the scenario recorded, or the error) to config.result.
 * `step(name, action)` runs `action` and records when it ended.
 */
function runScenario(scenario) {
  const main = async () => {
    const config = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
    const result = { steps: [], screenshots: [] };
    const started = Date.now();
    const step = async (name, action) => {
      const value = await action();
      result.steps.push({ name, seconds: (Date.now() - started) / 1000 });
      return value;
    };
    const { context, page } = await launchBrowser(config.chromium, config.browserProfile);
    try {
      await scenario(page, config, result, step);
    } catch (error) {
      result.error = error.stack || String(error);
      await recordFailure(page, config, result);
      process.exitCode = 1;
    } finally {
      await context.close();
      fs.writeFileSync(config.result, JSON.stringify(result, null, 2));
    }
  };
  main().catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
}

async function screenshot(page, config, result, name) {
  const file = path.join(config.screenshots, `${name}.png`);
  await page.screenshot({ path: file });
  result.screenshots.push(file);
}

/** What the screen and the Problems panel showed when a step failed. */
async function recordFailure(page, config, result) {
  result.notifications = await notifications(page).catch((error) => [`unreadable: ${error.message}`]);
  await screenshot(page, config, result, "failure").catch(() => {});
  await page.keyboard.press("Escape"); // an open menu or palette would swallow the next command
  result.problemsAtFailure = await setPanelMaximized(page, true)
    .then(() => readProblems(page))
    .catch((error) => `unreadable: ${error.message}`);
}

module.exports = {
  openWorkbench,
  waitFor,
  runCommand,
  openFile,
  goToPosition,
  readProblems,
  openQuickFixMenu,
  focusMenuEntry,
  notificationToasts,
  clickNotificationButton,
  statusBarItem,
  pickFileInFileDialog,
  waitForProblems,
  flasklintLogFiles,
  runScenario,
  screenshot,
};
