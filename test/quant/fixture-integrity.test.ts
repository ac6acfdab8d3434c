import { describe, it, expect } from "vitest";
import { existsSync } from "node:fs";
import { fixturePath, goldenCases, readFixture, sha256 } from "../helpers/fixtures.js";

describe("quant fixtures are the generator's files (sha256 from the manifests)", () => {
  for (const folder of ["absmean", "hf-bitnet-pack"]) {
    it(folder, () => {
      let checked = 0;
      for (const c of goldenCases(folder)) {
        for (const f of Object.values(c.files)) {
          // absmean's transformers_compiled fake-quant files were not copied (see its README.md).
          if (f.file.includes("transformers_compiled")) continue;
          expect(existsSync(fixturePath(folder, f.file)), f.file).toBe(true);
          expect(sha256(readFixture(folder, f.file)), f.file).toBe(f.sha256);
          checked++;
        }
      }
      expect(checked).toBeGreaterThan(20);
    });
  }
});
