// Bundles the extension into one CommonJS file (vscode stays external: the editor provides it), and
// the unit tests into build/test/ for node's test runner. tsc only type-checks (`npm run typecheck`).
import * as esbuild from "esbuild";
import { readdirSync } from "node:fs";

const args = new Set(process.argv.slice(2));
const common = { bundle: true, platform: "node", format: "cjs", target: "node20", logLevel: "info" };

if (args.has("--tests")) {
  const tests = readdirSync("src/test").filter((name) => name.endsWith(".test.ts"));
  await esbuild.build({
    ...common,
    entryPoints: tests.map((name) => `src/test/${name}`),
    outdir: "build/test",
    sourcemap: "inline",
    external: ["vscode"],
  });
} else {
  const options = {
    ...common,
    entryPoints: ["src/extension.ts"],
    outfile: "dist/extension.js",
    external: ["vscode"],
    minify: args.has("--production"),
    sourcemap: !args.has("--production"),
  };
  if (args.has("--watch")) {
    await (await esbuild.context(options)).watch();
  } else {
    await esbuild.build(options);
  }
}
