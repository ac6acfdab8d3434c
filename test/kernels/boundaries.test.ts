/** The kernels are an independent check of the packers: nothing under kernels/ may import them. */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const KERNELS = join(ROOT, "kernels");

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );
}

/** Module specifiers of static imports/exports, dynamic import() and require(). */
function specifiers(source: string): string[] {
  const patterns = [
    /\b(?:import|export)\s[^;]*?\bfrom\s*["']([^"']+)["']/g,
    /\bimport\s*["']([^"']+)["']/g,
    /\bimport\s*\(\s*["']([^"']+)["']/g,
    /\brequire\s*\(\s*["']([^"']+)["']/g,
  ];
  return patterns.flatMap((p) => Array.from(source.matchAll(p), (m) => m[1]!));
}

describe("kernels/ import boundary", () => {
  const files = tsFiles(KERNELS);

  it("finds the kernel sources, and the scanner sees their imports", () => {
    expect(files.length).toBeGreaterThanOrEqual(10);
    const all = files.flatMap((f) => specifiers(readFileSync(f, "utf8")));
    expect(all).toContain("../src/core/errors.js");
    expect(specifiers(`import { x } from "../formats/layouts/i2_s.js";\nconst y = require('../src/quant/a.js');`)).toEqual([
      "../formats/layouts/i2_s.js",
      "../src/quant/a.js",
    ]);
  });

  for (const file of tsFiles(KERNELS)) {
    it(`${relative(ROOT, file)} imports no packer or quantizer code`, () => {
      const bad = specifiers(readFileSync(file, "utf8")).filter((s) => /formats\/layouts|src\/quant/.test(s));
      expect(bad).toEqual([]);
    });
  }

  it("kernels import only node built-ins, src/core and other kernel files", () => {
    for (const file of files) {
      for (const s of specifiers(readFileSync(file, "utf8"))) {
        const target = s.startsWith(".") ? relative(ROOT, join(file, "..", s)) : s;
        expect(target, `${relative(ROOT, file)} → ${s}`).toMatch(/^(node:|src\/core\/|kernels\/)/);
      }
    }
  });
});
