/** The committed module bytes are exactly what wabt builds from the WAT sources (no stale or hand-edited binary). */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
// @ts-expect-error the build script is plain JavaScript
import { MODULES, moduleSource } from "../../scripts/build-simd.mjs";

describe("generated WebAssembly modules", () => {
  for (const m of MODULES as { wat: string; out: string }[]) {
    it(`${m.out} equals a fresh build of ${m.wat}`, async () => {
      const committed = readFileSync(new URL(`../../${m.out}`, import.meta.url), "utf8");
      expect(committed).toBe(await moduleSource(m));
    });
  }
});
