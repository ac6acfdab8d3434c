import { describe, expect, it } from "vitest";
import { packCb158 } from "../../../formats/layouts/cb158-pack.js";
import { cb158Layout } from "../../../formats/layouts/cb158.js";
import { usedBytes } from "../../../formats/layouts/cb158-format.js";
import { quantizeCb158 } from "../../../src/quant/cb158/index.js";
import { randomMatrix } from "./helpers.js";

const shapes: [number, number][] = [
  [64, 128],
  [96, 384],
  [256, 256],
  [40, 1024],
];
const targets = [1.3, 1.45, 1.58, 1.8, 2.0, 2.5];

describe("cb158 bit accounting", () => {
  for (const shape of shapes) {
    for (const bpw of targets) {
      it(`[${shape.join("×")}] at ${bpw} bpw: every stored bit counted, size exact`, () => {
        const n = shape[0] * shape[1];
        const { tensor, stats } = quantizeCb158(randomMatrix(shape[0], shape[1], n + bpw * 1000), shape, { bpw });
        const bytes = packCb158(tensor);
        const layoutBytes = cb158Layout.bytesFor(shape, { bpw });
        expect(bytes.length).toBe(layoutBytes);
        expect(Math.abs((layoutBytes * 8) / n - bpw)).toBeLessThanOrEqual(0.005);
        const { fixed, codebook, indices, salient, outliers, padding } = stats.bits;
        expect(fixed + codebook + indices + salient + outliers + padding).toBe(bytes.length * 8);
        expect(8 * usedBytes(tensor) + padding).toBe(bytes.length * 8);
        // Padding is below one outlier (48 bits) plus a partial byte: the budget is really spent.
        expect(padding).toBeLessThan(56);
        expect(bytes.subarray(usedBytes(tensor)).every((b) => b === 0)).toBe(true);
        expect(stats.bitsPerWeight).toBe((bytes.length * 8) / n);
      });
    }
  }

  it("rejects a target below the cheapest tier", () => {
    expect(() => quantizeCb158(randomMatrix(32, 256, 1), [32, 256], { bpw: 0.8 })).toThrow(/USAGE.*target too low/);
  });
});
