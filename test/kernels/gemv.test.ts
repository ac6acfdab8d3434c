/**
 * Every layout kernel's GEMV on the golden packed bytes against the dense integer reference over
 * the golden codes: accumulators exactly, outputs bit for bit.
 */
import { describe, expect, it } from "vitest";
import { compareF32, compareI32, denseGemv, getKernel, quantizeActivations } from "../../kernels/index.js";
import { goldenCases, readF32, readI8 } from "../helpers/fixtures.js";
import { LAYOUTS, layoutCases, seededQ } from "./golden-layouts.js";

const EXACT = { equal: true, mismatches: 0 };

for (const layout of LAYOUTS) {
  describe(`${layout} gemv on golden bytes`, () => {
    const kernel = getKernel(layout);
    for (const c of layoutCases(layout)) {
      const K = c.shape[1];
      const groupSize = kernel.groupSize(c.shape);
      const groups = K / groupSize;

      it(`${c.name}: seeded activations (3 tokens) match denseGemv`, () => {
        for (const seed of [1, 2, 3]) {
          const q = seededQ(K, seed * 7919 + K);
          const sx = Math.fround(127 / (0.5 + seed));
          const got = kernel.gemv(c.payload, c.shape, c.params, q, sx);
          const want = denseGemv(c.codes, c.shape, q, sx, c.scales, groupSize);
          expect(got.acc.length).toBe(c.shape[0] * groups);
          expect(compareI32(got.acc, want.acc, { cols: groups })).toEqual(EXACT);
          expect(compareF32(got.y, want.y)).toEqual(EXACT);
        }
      });

      it(`${c.name}: extreme activations (all −128, all +127) match denseGemv`, () => {
        for (const v of [-128, 127]) {
          const q = new Int8Array(K).fill(v);
          const got = kernel.gemv(c.payload, c.shape, c.params, q, 1);
          const want = denseGemv(c.codes, c.shape, q, 1, c.scales, groupSize);
          expect(compareI32(got.acc, want.acc)).toEqual(EXACT);
          expect(compareF32(got.y, want.y)).toEqual(EXACT);
        }
      });
    }
  });
}

describe("gemv with golden activations on golden layout bytes", () => {
  // Every golden activation row drives every layout case with the same K (K = 128 and 256 occur in both).
  for (const act of goldenCases("activations")) {
    const K = act.shape[1]!;
    const q = readI8("activations", `${act.name}.q.i8`);
    const sx = readF32("activations", `${act.name}.s_x.f32`);
    for (const layout of LAYOUTS) {
      const kernel = getKernel(layout);
      for (const c of layoutCases(layout).filter((x) => x.shape[1] === K)) {
        it(`${layout}/${c.name} × ${act.name}`, () => {
          for (let t = 0; t < sx.length; t++) {
            const qt = q.subarray(t * K, (t + 1) * K);
            const got = kernel.gemv(c.payload, c.shape, c.params, qt, sx[t]!);
            const want = denseGemv(c.codes, c.shape, qt, sx[t]!, c.scales, kernel.groupSize(c.shape));
            expect(compareI32(got.acc, want.acc)).toEqual(EXACT);
            expect(compareF32(got.y, want.y)).toEqual(EXACT);
          }
        });
      }
    }
  }
  it("covers at least one K = 256 case per layout", () => {
    for (const layout of LAYOUTS) expect(layoutCases(layout).some((c) => c.shape[1] === 256)).toBe(true);
  });
});

describe("TL kernels with the TL activation scale (no 1e-5 floor)", () => {
  it("an all-zero token gives s_x = +Infinity, q = 0 and y = 0 on TL1 and TL2", () => {
    for (const layout of ["tl1", "tl2"] as const) {
      const c = layoutCases(layout)[0]!;
      const K = c.shape[1];
      const { q, sx } = quantizeActivations(new Float32Array(K), 1, K, "tl");
      expect(sx[0]).toBe(Infinity);
      const got = getKernel(layout).gemv(c.payload, c.shape, c.params, q, sx[0]!);
      expect(Array.from(got.acc)).toEqual(new Array(c.shape[0]).fill(0));
      expect(Array.from(got.y)).toEqual(new Array(c.shape[0]).fill(0));
    }
  });
});
