/** Package invariants: what `npm install ternpack` users and `npx ternpack` rely on. */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { VERSION } from "../src/version.js";

const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));

describe("package.json", () => {
  it("exposes ESM and CJS entry points with types listed first", () => {
    const root = pkg.exports["."];
    expect(Object.keys(root.import)[0]).toBe("types");
    expect(Object.keys(root.require)[0]).toBe("types");
    expect(root.import.default).toBe("./dist/index.js");
    expect(root.require.default).toBe("./dist/index.cjs");
  });

  it("has the ternpack bin, Node >= 20, and a build on install", () => {
    expect(pkg.bin).toEqual({ ternpack: "dist/cli.js" });
    expect(pkg.engines.node).toBe(">=20");
    expect(pkg.scripts.prepare).toBe("tsup");
  });

  it("pins every tool to an exact version that runs on Node 20", () => {
    for (const [name, version] of Object.entries({ ...pkg.dependencies, ...pkg.devDependencies })) {
      expect(version, name).toMatch(/^\d+\.\d+\.\d+$/);
    }
    expect(pkg.devDependencies.vitest).toMatch(/^4\.1\./);
    expect(pkg.devDependencies.tsup).toMatch(/^8\.5\./);
    expect(pkg.devDependencies.typescript).toMatch(/^5\.9\./);
  });

  it("keeps VERSION (written into GGUF provenance) equal to the package version", () => {
    expect(VERSION).toBe(pkg.version);
  });
});
