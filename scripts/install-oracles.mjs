#!/usr/bin/env node
/**
 * Installs the test-side oracle runtime (node-llama-cpp, CPU build for this platform) into
 * `.oracles/`, outside the package's own dependencies: node-llama-cpp's optional dependencies
 * are GPU builds of several hundred MB, and omitting optional dependencies for the whole project
 * would also drop the native binaries esbuild and vite need. Runs before `npm test` (pretest);
 * does nothing when the pinned version is already there.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const VERSION = "3.22.1";
const root = join(dirname(fileURLToPath(import.meta.url)), "..", ".oracles");
const platformPackage = `@node-llama-cpp/${process.platform}-${process.arch}`;
const installed = join(root, "node_modules", "node-llama-cpp", "package.json");

function installedVersion() {
  try {
    return JSON.parse(readFileSync(installed, "utf8")).version;
  } catch {
    return undefined;
  }
}

if (installedVersion() === VERSION && existsSync(join(root, "node_modules", ...platformPackage.split("/")))) {
  process.exit(0);
}
mkdirSync(root, { recursive: true });
writeFileSync(
  join(root, "package.json"),
  JSON.stringify({ name: "ternpack-test-oracles", private: true, dependencies: { "node-llama-cpp": VERSION, [platformPackage]: VERSION } }, null, 2),
);
console.log(`installing test oracle node-llama-cpp ${VERSION} (${platformPackage}) into .oracles/ …`);
execFileSync("npm", ["install", "--omit=optional", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error"], {
  cwd: root,
  stdio: "inherit",
});
