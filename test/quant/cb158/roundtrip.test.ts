import { describe, expect, it } from "vitest";
import { decodeCb158 } from "../../../formats/layouts/cb158-decode.js";
import { packCb158 } from "../../../formats/layouts/cb158-pack.js";
import { quantizeCb158, reconstructCb158 } from "../../../src/quant/cb158/index.js";
import { bitsOf, randomMatrix } from "./helpers.js";

describe("cb158 decode(pack(q)) is the quantizer's reconstruction", () => {
  const cases: { shape: [number, number]; bpw: number; salientFraction?: number }[] = [
    { shape: [64, 128], bpw: 1.58 },
    { shape: [33, 96], bpw: 1.3 },
    { shape: [128, 384], bpw: 2.5 }, // thousands of outliers
    { shape: [16, 512], bpw: 1.58, salientFraction: 0.05 },
    { shape: [8, 64], bpw: 2.0, salientFraction: 0 },
  ];
  for (const { shape, bpw, salientFraction } of cases) {
    it(`[${shape.join("×")}] at ${bpw} bpw`, () => {
      const w = randomMatrix(shape[0], shape[1], shape[0] * 7 + shape[1]);
      const result = quantizeCb158(w, shape, { bpw, salientFraction });
      const decoded = decodeCb158(packCb158(result.tensor), shape);
      expect(bitsOf(decoded)).toEqual(bitsOf(result.reconstruction));
      expect(bitsOf(reconstructCb158(result.tensor))).toEqual(bitsOf(result.reconstruction));
      if (bpw === 2.5) expect(result.tensor.outlierIndex.length).toBeGreaterThan(500);
      if (salientFraction) expect(result.tensor.salientColumns.length).toBe(Math.round(salientFraction * shape[1]));
    });
  }

  it("keeps all-zero super-blocks exactly zero", () => {
    const w = randomMatrix(4, 512, 3);
    w.fill(0, 0, 1024);
    const result = quantizeCb158(w, [4, 512], { salientFraction: 0 });
    const decoded = decodeCb158(packCb158(result.tensor), [4, 512]);
    expect(decoded.subarray(0, 1024).every((x) => x === 0)).toBe(true);
    expect(result.tensor.superScales[0]).toBe(0);
  });
});

describe("cb158 determinism", () => {
  it("same input → identical bytes; other importance → other bytes", () => {
    const w = randomMatrix(96, 256, 11);
    const h = new Float32Array(256).fill(1);
    h[5] = 50;
    const a = packCb158(quantizeCb158(w, [96, 256], { importance: h }).tensor);
    const b = packCb158(quantizeCb158(w.slice(), [96, 256], { importance: h.slice() }).tensor);
    const c = packCb158(quantizeCb158(w, [96, 256]).tensor);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });
});
