"use strict";
// Issue 4's end-to-end scenario in a real VS Code (code-server), driven through its UI:
// open examples/quickstart's files, wait for flasklint's problems, apply a quick fix from the Quick Fix
// menu, save, then restart the server from the Command Palette and see the problems come back.
//
// Usage: node quickstart.js <config.json>
// tests/test_vscode_extension.py starts code-server, writes the config (URL, workspace, the problems it
// expects, where screenshots and the result go), runs this script and checks the result and the disk.

const fs = require("fs");
const path = require("path");
const wb = require("./workbench");

const FIRST_PROBLEMS_TIMEOUT_MS = 90_000; // the extension activates, the server starts and indexes
const PROBLEMS_TIMEOUT_MS = 30_000;
const SERVER_START = /flasklint \S+ language server \(pygls/g; // the server's first log line

async function scenario(page, config, result, step) {
  const { fix } = config;
  await step("workbench loaded", () => wb.openWorkbench(page, config.baseUrl, config.workspace));
  for (const file of config.open) await step(`${file} opened`, () => wb.openFile(page, file));
  await step("problems focused", async () => {
    await wb.openFile(page, fix.file); // back to the file to fix, for the screenshots
    await wb.runCommand(page, "View: Focus Problems (Errors, Warnings, Infos)");
  });
  result.problems = await step("problems listed", () =>
    wb.waitForProblems(page, config.expected, FIRST_PROBLEMS_TIMEOUT_MS));
  await step("cursor on the diagnostic to fix", () => wb.goToPosition(page, fix.line, fix.column));
  await wb.screenshot(page, config, result, "1-problems");

  const fileOnDisk = path.join(config.workspace, fix.file);
  const original = fs.readFileSync(fileOnDisk, "utf8");
  result.quickFixMenu = await step("quick fix menu open", () => wb.openQuickFixMenu(page));
  result.chosenFix = await wb.focusMenuEntry(page, `${fix.code}: `, result.quickFixMenu);
  await wb.screenshot(page, config, result, "2-quick-fix-menu");
  await step("fix applied and saved", async () => {
    await page.keyboard.press("Enter");
    await page.locator(".action-widget .monaco-list-row").first().waitFor({ state: "hidden" });
    await page.keyboard.press("Control+s");
    await wb.waitFor(`${fix.file} saved to disk`, () => fs.readFileSync(fileOnDisk, "utf8") !== original);
    await page.locator(".tabs-container .tab.active.dirty").waitFor({ state: "detached" });
  });
  result.problemsAfterFix = await step("problems after the fix", () =>
    wb.waitForProblems(page, config.expectedAfterFix, PROBLEMS_TIMEOUT_MS));
  await wb.screenshot(page, config, result, "3-after-fix");

  const startsBefore = countServerStarts(config.logsDir);
  await step("server restarted", async () => {
    await wb.runCommand(page, "flasklint: Restart Server");
    const restarted = () => countServerStarts(config.logsDir) > startsBefore;
    await wb.waitFor("a new server start in the flasklint log", restarted, PROBLEMS_TIMEOUT_MS);
  });
  result.serverStarts = { beforeRestart: startsBefore, afterRestart: countServerStarts(config.logsDir) };
  result.problemsAfterRestart = await step("problems after the restart", () =>
    wb.waitForProblems(page, config.expectedAfterFix, PROBLEMS_TIMEOUT_MS));
  await wb.screenshot(page, config, result, "4-after-restart");
}

/** Server starts logged in the "flasklint" output channel, whose file lives under the user-data-dir's logs/. */
function countServerStarts(logsDir) {
  const starts = (file) => (fs.readFileSync(file, "utf8").match(SERVER_START) || []).length;
  return wb.flasklintLogFiles(logsDir).reduce((count, file) => count + starts(file), 0);
}

wb.runScenario(scenario);
