/**
 * The documents one folder's server receives: Python files, templates and the deployment files
 * FLK103 reads. The file kinds mirror the engine's (flasklint/file_kinds.py TEMPLATE_SUFFIXES and
 * DEPLOYMENT_FILES; tests/lsp/test_extension_settings.py checks it); the
 * server itself decides which of them it lints.
 */
import * as path from "node:path";

export const TEMPLATE_SUFFIXES = ["html", "htm", "jinja", "jinja2", "j2", "xml", "svg", "txt"];
export const DEPLOYMENT_FILES = [
  "Dockerfile*", "*.dockerfile", "Procfile*", "*.sh", "compose*.yml", "compose*.yaml",
  "docker-compose*.yml", "docker-compose*.yaml", ".flaskenv", ".env", "package.json",
];

export interface DocumentFilter {
  scheme: string;
  language?: string;
  pattern: string;
}

/**
 * Documents under `folderPath`, or anywhere when it is undefined (no folder open). Glob patterns use
 * forward slashes on every platform.
 */
export function documentSelector(folderPath: string | undefined): DocumentFilter[] {
  const root = folderPath === undefined ? "" : folderPath.split(path.sep).join("/").replace(/\/$/, "") + "/";
  return [
    { scheme: "file", language: "python", pattern: `${root}**/*` },
    { scheme: "file", pattern: `${root}**/*.{${TEMPLATE_SUFFIXES.join(",")}}` },
    { scheme: "file", pattern: `${root}**/{${DEPLOYMENT_FILES.join(",")}}` },
  ];
}

/**
 * The folders that get a server: in a multi-root workspace a folder nested in another one is
 * covered by the outer folder's server (the engine finds nested projects itself), so that no
 * document is linted twice.
 */
export function outermostFolders(folderPaths: string[]): string[] {
  const normalised = folderPaths.map((folder) => ({ folder, prefix: folder.replace(/[\\/]+$/, "") + path.sep }));
  return normalised
    .filter(({ prefix }) => !normalised.some((other) => other.prefix !== prefix && prefix.startsWith(other.prefix)))
    .map(({ folder }) => folder);
}
