/** The committed module bytes are exactly what wabt builds from the WAT source (no stale or hand-edited binary). */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
// @ts-expect-error the build script is plain JavaScript
import { simdModuleSource } from "../../scripts/build-simd.mjs";

describe("src/simd/simd-module.ts", () => {
  it("equals a fresh build of src/simd/ternary.wat", async () => {
    const committed = readFileSync(new URL("../../src/simd/simd-module.ts", import.meta.url), "utf8");
    expect(committed).toBe(await simdModuleSource());
  });
});
