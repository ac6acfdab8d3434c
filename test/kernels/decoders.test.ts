/** Every decoder against the reference-packed golden bytes of its layout. */
import { describe, expect, it } from "vitest";
import { compareCodes, compareF32, getKernel } from "../../kernels/index.js";
import { LAYOUTS, layoutCases } from "./golden-layouts.js";

for (const layout of LAYOUTS) {
  describe(`${layout} decoder on golden bytes`, () => {
    const kernel = getKernel(layout);
    const cases = layoutCases(layout);

    it("has golden cases", () => {
      expect(cases.length).toBeGreaterThanOrEqual(6);
    });

    for (const c of cases) {
      it(`${c.name}: codes and scales`, () => {
        const { codes, scales } = kernel.codes(c.payload, c.shape, c.params);
        const groupSize = kernel.groupSize(c.shape);
        expect(compareCodes(codes, c.codes, { cols: c.shape[1], blockSize: groupSize })).toEqual({ equal: true, mismatches: 0 });
        expect(compareF32(scales, c.scales, { nan: "bits" })).toEqual({ equal: true, mismatches: 0 });
      });

      if (c.dequant) {
        it(`${c.name}: dequantize equals libggml's to_float bit for bit (any NaN equals any NaN)`, () => {
          const values = kernel.dequantize(c.payload, c.shape, c.params);
          expect(compareF32(values, c.dequant!, { cols: c.shape[1], blockSize: 256 })).toEqual({ equal: true, mismatches: 0 });
        });
      } else {
        it(`${c.name}: dequantize = scale · t`, () => {
          const values = kernel.dequantize(c.payload, c.shape, c.params);
          const s = c.scales[0]!;
          expect(compareF32(values, Float32Array.from(c.codes, (t) => t * s))).toEqual({ equal: true, mismatches: 0 });
        });
      }
    }
  });
}
