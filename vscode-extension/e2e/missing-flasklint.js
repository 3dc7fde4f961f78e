"use strict";
// Issue 4's "a missing flasklint install is explained in one notification", in a real VS Code (code-server):
// `python3` on PATH is a bare venv without flasklint. Open examples/quickstart's app.py, read the one
// notification and the status bar, then recover from the notification without reloading the window:
// "Select Interpreter" opens a file dialog (no Python extension installed), pick an interpreter that has
// flasklint, and the extension writes flasklint.interpreter into the folder's settings and restarts the server.
//
// Usage: node missing-flasklint.js <config.json>
// tests/test_vscode_extension.py starts code-server, writes the config (URL, workspace, the interpreter to
// pick, the problems to expect once it is picked), runs this script and checks the result and the disk.

const wb = require("./workbench");

const NOTIFICATION_TIMEOUT_MS = 60_000; // the extension activates and probes the interpreter
const PROBLEMS_TIMEOUT_MS = 30_000;
// Element id of the extension's status bar item: "<publisher>.<name>" + "." + the id in src/status.ts.
const STATUS_ITEM = "flasklint.flasklint.flasklint.status";
// The title extension.ts's selectInterpreter gives window.showOpenDialog.
const DIALOG_TITLE = "Select a Python interpreter that has flasklint installed";
const SELECT_INTERPRETER = "Select Interpreter";

async function scenario(page, config, result, step) {
  await step("workbench loaded", () => wb.openWorkbench(page, config.baseUrl, config.workspace));
  await step(`${config.open} opened`, () => wb.openFile(page, config.open));
  const flasklintToasts = async () =>
    (await wb.notificationToasts(page)).filter((toast) => toast.source === "flasklint");
  const shown = await step("notification shown", () =>
    wb.waitFor("a flasklint notification", async () => {
      const toasts = await flasklintToasts();
      return toasts.length > 0 && toasts;
    }, NOTIFICATION_TIMEOUT_MS));
  result.statusItem = await step("status bar item shows the error", () =>
    wb.waitFor("flasklint's status bar item with an error icon", async () => {
      const item = await wb.statusBarItem(page, STATUS_ITEM);
      return item?.icon === "error" && item;
    }));
  result.problemsWhileMissing = await step("problems read", async () => {
    await wb.runCommand(page, "View: Focus Problems (Errors, Warnings, Infos)");
    await page.locator(".markers-panel").waitFor({ state: "visible" });
    return wb.readProblems(page);
  });
  // Read again after the steps above: a second notification would have had the time to show up.
  result.notifications = await wb.notificationToasts(page);
  await wb.screenshot(page, config, result, "missing-1-notification");

  // Nothing below may reload the window: this mark would be gone.
  await page.evaluate(() => { window.flasklintE2eSameWindow = true; });
  await step("interpreter picked", async () => {
    await wb.clickNotificationButton(page, shown[0].message, SELECT_INTERPRETER);
    await wb.pickFileInFileDialog(page, DIALOG_TITLE, config.workspace, config.interpreter);
  });
  result.problemsAfterRecovery = await step("problems listed", () =>
    wb.waitForProblems(page, config.expected, PROBLEMS_TIMEOUT_MS));
  const itemGone = async () => (await wb.statusBarItem(page, STATUS_ITEM)) === null;
  await step("status bar item hidden", () => wb.waitFor("flasklint's status bar item to go away", itemGone));
  result.statusItemAfterRecovery = await wb.statusBarItem(page, STATUS_ITEM);
  result.notificationsAfterRecovery = await wb.notificationToasts(page);
  result.sameWindow = await page.evaluate(() => window.flasklintE2eSameWindow === true);
  await wb.screenshot(page, config, result, "missing-2-recovered");
}

wb.runScenario(scenario);
