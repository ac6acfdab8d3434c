import { describe, expect, it } from "vitest";
import { absmeanTernarize } from "../../../src/quant/absmean.js";
import { importanceWeightedError, quantizeCb158 } from "../../../src/quant/cb158/index.js";
import { tinyStoriesLinears, type NamedTensor } from "./helpers.js";

const linears = await tinyStoriesLinears();

/** σ·t of per-tensor absmean ternarization (the BitNet rule). */
function absmean(t: NamedTensor): Float32Array {
  const r = absmeanTernarize(t.values, t.shape, { granularity: "tensor" });
  const out = new Float32Array(t.values.length);
  for (let i = 0; i < out.length; i++) out[i] = r.codes[i]! * r.scales[0]!;
  return out;
}

/** Importance concentrated on four columns (×100), as a calibration set with hot features gives. */
function emphasized(cols: number): Float32Array {
  const h = new Float32Array(cols).fill(1);
  for (const j of [3, 17, 64, cols - 5]) h[j] = 100;
  return h;
}

describe("cb158 ε_h on TinyStories linears at ≤ 1.58 bpw beats absmean ternary", () => {
  it("covers all 15 two-dimensional weights", () => {
    expect(linears.length).toBe(15);
  });
  for (const t of linears) {
    for (const kind of ["flat", "emphasized"] as const) {
      it(`${t.name} (${kind} h)`, () => {
        const h = kind === "flat" ? undefined : emphasized(t.shape[1]);
        const result = quantizeCb158(t.values, t.shape, { importance: h });
        expect(result.stats.bitsPerWeight).toBeLessThanOrEqual(1.58);
        const ours = importanceWeightedError(t.values, result.reconstruction, t.shape[1], h);
        const theirs = importanceWeightedError(t.values, absmean(t), t.shape[1], h);
        expect(ours).toBeLessThan(theirs);
        if (h) {
          // Using h must pay off on the h-weighted error, against the same quantizer run blind.
          const blind = quantizeCb158(t.values, t.shape).reconstruction;
          expect(ours).toBeLessThan(importanceWeightedError(t.values, blind, t.shape[1], h));
        }
      });
    }
  }
});

describe("cb158 error falls as the bit budget grows", () => {
  for (const name of ["model.layers.0.mlp.down_proj.weight", "model.layers.1.self_attn.q_proj.weight"]) {
    it(name, () => {
      const t = linears.find((x) => x.name === name)!;
      const sweep = [1.3, 1.45, 1.58, 1.8, 2.0, 2.5].map((bpw) => importanceWeightedError(t.values, quantizeCb158(t.values, t.shape, { bpw }).reconstruction, t.shape[1]));
      for (let i = 1; i < sweep.length; i++) expect(sweep[i]!).toBeLessThanOrEqual(sweep[i - 1]! + 0.002);
      expect(sweep[sweep.length - 1]!).toBeLessThan(sweep[0]! - 0.1);
    });
  }
});
