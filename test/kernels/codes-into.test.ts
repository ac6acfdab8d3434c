/** `Kernel.codes(..., into)`: the same codes as a fresh decode, written into the caller's (dirty) buffer. */
import { describe, expect, it } from "vitest";
import { isTernpackError } from "../../src/core/errors.js";
import { compareCodes, getKernel } from "../../kernels/index.js";
import { LAYOUTS, layoutCases } from "./golden-layouts.js";

for (const layout of LAYOUTS) {
  describe(`${layout} codes into a reused buffer`, () => {
    const kernel = getKernel(layout);
    const cases = layoutCases(layout);

    it("decodes every golden case into one larger buffer left dirty by the previous case", () => {
      const n = Math.max(...cases.map((c) => c.shape[0]! * c.shape[1]!));
      const into = new Int8Array(n + 8).fill(7);
      for (const c of cases) {
        const { codes } = kernel.codes(c.payload, c.shape, c.params, into);
        expect(codes.buffer).toBe(into.buffer);
        expect(codes.length).toBe(c.shape[0]! * c.shape[1]!);
        expect(compareCodes(codes, c.codes, { cols: c.shape[1] })).toEqual({ equal: true, mismatches: 0 });
      }
      expect(into[n + 7]).toBe(7); // nothing past M·K is written
    });

    it("refuses a buffer too short or not 4-byte aligned with USAGE", () => {
      const c = cases[0]!;
      const n = c.shape[0]! * c.shape[1]!;
      for (const into of [new Int8Array(n - 1), new Int8Array(n + 4).subarray(1)]) {
        let caught: unknown;
        try {
          kernel.codes(c.payload, c.shape, c.params, into);
        } catch (e) {
          caught = e;
        }
        expect(isTernpackError(caught, "USAGE")).toBe(true);
      }
    });
  });
}
