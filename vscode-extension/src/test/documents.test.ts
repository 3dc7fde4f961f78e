import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { documentSelector, outermostFolders } from "../documents";

describe("documentSelector", () => {
  it("covers Python files, templates and deployment files inside the folder only", () => {
    const patterns = documentSelector("/work/app/").map((filter) => filter.pattern);
    assert.deepEqual(patterns, [
      "/work/app/**/*",
      "/work/app/**/*.{html,htm,jinja,jinja2,j2,xml,svg,txt}",
      "/work/app/**/{Dockerfile*,*.dockerfile,Procfile*,*.sh,compose*.yml,compose*.yaml,docker-compose*.yml,docker-compose*.yaml,.flaskenv,.env,package.json}",
    ]);
    assert.equal(documentSelector("/work/app")[0]?.language, "python");
  });

  it("covers files anywhere when no folder is open", () => {
    assert.deepEqual(
      documentSelector(undefined).map((filter) => filter.pattern.split("{")[0]),
      ["**/*", "**/*.", "**/"],
    );
  });
});

describe("outermostFolders", () => {
  it("drops folders nested in another folder, keeps siblings with a common name prefix", () => {
    assert.deepEqual(outermostFolders(["/w/app", "/w/app/sub", "/w/app2", "/x"]), ["/w/app", "/w/app2", "/x"]);
  });
});
