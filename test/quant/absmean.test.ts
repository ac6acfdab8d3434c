import { describe, it, expect } from "vitest";
import { absmeanTernarize, fakeQuantize, MEAN_ABS_FLOOR, type Granularity } from "../../src/quant/index.js";
import { isTernpackError } from "../../src/core/errors.js";
import { f32FromBits } from "../../src/core/half.js";
import { readF32 } from "../helpers/fixtures.js";
import { ABSMEAN, absmeanCases, bitsOf, firstBitMismatch, scaleColumn } from "./golden-absmean.js";

const cases = absmeanCases();

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error("expected a throw");
}

describe("absmean golden (reduction torch, the default): codes and all three scale columns bit for bit", () => {
  for (const c of cases) {
    for (const v of c.variants) {
      it(`${c.name} ${v.key}`, () => {
        const r = absmeanTernarize(c.input, c.shape, { granularity: v.granularity });
        expect(firstBitMismatch(r.codes, v.codes)).toBe(-1);
        expect(firstBitMismatch(r.meanAbs, scaleColumn(v.scales, 0))).toBe(-1);
        expect(firstBitMismatch(r.inverse, scaleColumn(v.scales, 1))).toBe(-1);
        expect(firstBitMismatch(r.scales, scaleColumn(v.scales, 2))).toBe(-1);
        expect(r.groupLength * r.scales.length).toBe(c.input.length);
      });
    }
  }

  it("per-tensor scalars equal the manifest's bit patterns", () => {
    for (const c of cases) {
      const pt = c.perTensorBits;
      const r = absmeanTernarize(c.input, c.shape, { granularity: "tensor" });
      expect(bitsOf(r.meanAbs)[0], c.name).toBe(pt.mean_abs_clamped);
      expect(bitsOf(r.inverse)[0], c.name).toBe(pt.s);
      expect(bitsOf(r.scales)[0], c.name).toBe(pt.scale_1_over_s);
    }
  });
});

describe("fakeQuantize = BitNet converter weight_quant (t / s in float32, −0 kept)", () => {
  for (const c of cases) {
    it(c.name, () => {
      const r = absmeanTernarize(c.input, c.shape, { granularity: "tensor" });
      const expected = readF32(ABSMEAN, c.golden.files.per_tensor_fakequant!.file);
      expect(firstBitMismatch(fakeQuantize(c.input, r), expected)).toBe(-1);
    });
  }

  it("the −0 case really holds negative zeros", () => {
    const expected = readF32(ABSMEAN, "tiny_2x2_neg_zero.per_tensor.fakequant.f32");
    expect([...bitsOf(expected)].some((b) => b === 0x80000000)).toBe(true);
  });
});

describe("reduction float64 (the spec's definition)", () => {
  const ulps = (a: Float32Array, b: Float32Array) => {
    let worst = 0;
    const x = bitsOf(a);
    const y = bitsOf(b);
    for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(x[i]! - y[i]!)); // all positive floats
    return worst;
  };
  const relative = (a: Float32Array, b: Float32Array) => {
    let worst = 0;
    for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!) / b[i]!);
    return worst;
  };

  for (const c of cases) {
    for (const v of c.variants) {
      it(`${c.name} ${v.key}: same codes as torch, scales within 2^-21 relative`, () => {
        const r = absmeanTernarize(c.input, c.shape, { granularity: v.granularity, reduction: "float64" });
        expect(firstBitMismatch(r.codes, v.codes)).toBe(-1);
        expect(relative(r.meanAbs, scaleColumn(v.scales, 0))).toBeLessThanOrEqual(2 ** -21);
        expect(relative(r.inverse, scaleColumn(v.scales, 1))).toBeLessThanOrEqual(2 ** -21);
        expect(relative(r.scales, scaleColumn(v.scales, 2))).toBeLessThanOrEqual(2 ** -21);
        if (v.key === "per_tensor") expect(ulps(r.meanAbs, scaleColumn(v.scales, 0))).toBeLessThanOrEqual(1);
      });
    }
  }

  it("per row / per group, torch's γ is sometimes more than 1 ulp from the correctly rounded mean", () => {
    // So "scales within 1 ulp" (bitnet-semantics.md §3.3) does not hold for per-row/group γ, nor
    // for σ = 1/(1/γ), which adds the rounding of two reciprocals.
    const worst = { meanAbs: 0, sigma: 0 };
    for (const c of cases) {
      for (const v of c.variants) {
        const r = absmeanTernarize(c.input, c.shape, { granularity: v.granularity, reduction: "float64" });
        worst.meanAbs = Math.max(worst.meanAbs, ulps(r.meanAbs, scaleColumn(v.scales, 0)));
        worst.sigma = Math.max(worst.sigma, ulps(r.scales, scaleColumn(v.scales, 2)));
      }
    }
    expect(worst.meanAbs).toBeGreaterThan(1);
    expect(worst.sigma).toBeGreaterThan(1);
  });

  it("gives the correctly rounded per-tensor mean, which torch misses in 3 cases", () => {
    const differs: string[] = [];
    for (const c of cases) {
      const pt = c.perTensorBits;
      const r = absmeanTernarize(c.input, c.shape, { granularity: "tensor", reduction: "float64" });
      const correct = f32FromBits(pt.mean_abs_correctly_rounded);
      expect(r.meanAbs[0], c.name).toBe(Math.max(correct, MEAN_ABS_FLOOR));
      if (c.golden.checks!.torch_mean_equals_correctly_rounded_mean === false) differs.push(c.name);
      expect(r.meanAbs[0] === f32FromBits(pt.mean_abs_clamped), c.name).toBe(
        c.golden.checks!.torch_mean_equals_correctly_rounded_mean,
      );
    }
    expect(differs.sort()).toEqual(["laplace_16x1024", "outlier_8x256", "tiny_3x5"]);
  });

  it("agrees with torch on exactly the rows/groups the manifest counts", () => {
    for (const c of cases) {
      for (const v of c.variants.filter((x) => x.key !== "per_tensor")) {
        const r = absmeanTernarize(c.input, c.shape, { granularity: v.granularity, reduction: "float64" });
        const torch = scaleColumn(v.scales, 0);
        let same = 0;
        for (let g = 0; g < torch.length; g++) if (r.meanAbs[g] === torch[g]) same++;
        expect(`${same}/${torch.length}`, `${c.name} ${v.key}`).toBe(c.golden.checks![`${v.key}_torch_means_equal_correctly_rounded_count`]);
      }
    }
  });
});

describe("hand-checkable examples", () => {
  it("per tensor: ties at ±0.5 go to 0, ±1.5 clamps to ±1", () => {
    // mean|W| = (0.25 + 0.75 + 0 + 1) / 4 = 0.5, s = 2: W·s = 0.5 → 0, −1.5 → −2 → −1, 0, 2 → 1.
    const r = absmeanTernarize(Float32Array.of(0.25, -0.75, 0, 1), [1, 4], { granularity: "tensor" });
    expect([...r.codes]).toEqual([0, -1, 0, 1]);
    expect([...r.meanAbs, ...r.inverse, ...r.scales]).toEqual([0.5, 2, 0.5]);
  });

  it("per group of 2 and per row: one scale per group / row", () => {
    // groups: [1, −3] γ = 2, s = 0.5 → 0.5 → 0, −1.5 → −1;  [0, 8] γ = 4, s = 0.25 → 0, 2 → 1.
    const w = Float32Array.of(1, -3, 0, 8);
    const g = absmeanTernarize(w, [1, 4], { granularity: { group: 2 } });
    expect([...g.codes]).toEqual([0, -1, 0, 1]);
    expect([...g.scales]).toEqual([2, 4]);
    expect(g.groupLength).toBe(2);
    // rows [1, −3] and [0, 8] of a 2×2: the same numbers.
    const r = absmeanTernarize(w, [2, 2], { granularity: "row" });
    expect([...r.codes]).toEqual([0, -1, 0, 1]);
    expect([...r.inverse]).toEqual([0.5, 0.25]);
  });

  it("γ below 1e-5 is clamped (s = fround(1 / fround(1e-5)))", () => {
    const r = absmeanTernarize(Float32Array.of(2e-6, 0, 0, 0), [4], { granularity: "tensor" });
    expect(r.meanAbs[0]).toBe(Math.fround(1e-5));
    expect(r.inverse[0]).toBe(100000);
    expect([...r.codes]).toEqual([0, 0, 0, 0]); // 2e-6 · 1e5 = 0.2 → 0
  });
});

describe("errors", () => {
  for (const [bad, label] of [
    [NaN, "NaN"],
    [Infinity, "Infinity"],
    [-Infinity, "-Infinity"],
  ] as const) {
    for (const granularity of ["tensor", "row", { group: 4 }] as Granularity[]) {
      it(`${label} (${JSON.stringify(granularity)}) → NON_FINITE naming the first bad index and the tensor`, () => {
        const w = new Float32Array(64).fill(0.5);
        w[37] = bad;
        w[50] = NaN;
        const e = thrown(() => absmeanTernarize(w, [4, 16], { granularity, tensor: "blk.0.attn_q.weight" }));
        expect(isTernpackError(e, "NON_FINITE")).toBe(true);
        expect((e as Error).message).toContain("element 37");
        expect((e as Error).message).toContain("blk.0.attn_q.weight");
      });
    }
  }

  it("cols % g != 0 → SHAPE_MISMATCH", () => {
    const e = thrown(() => absmeanTernarize(new Float32Array(2 * 96), [2, 96], { granularity: { group: 64 } }));
    expect(isTernpackError(e, "SHAPE_MISMATCH")).toBe(true);
    expect((e as Error).message).toContain("96");
  });

  it("shape not matching the values, empty tensors and bad group sizes are refused", () => {
    expect(isTernpackError(thrown(() => absmeanTernarize(new Float32Array(6), [2, 4], { granularity: "tensor" })), "SHAPE_MISMATCH")).toBe(true);
    expect(isTernpackError(thrown(() => absmeanTernarize(new Float32Array(0), [0, 4], { granularity: "row" })), "SHAPE_MISMATCH")).toBe(true);
    expect(isTernpackError(thrown(() => absmeanTernarize(new Float32Array(4), [2, 2], { granularity: { group: 0 } })), "USAGE")).toBe(true);
    expect(isTernpackError(thrown(() => absmeanTernarize(new Float32Array(4), [2, -2], { granularity: "tensor" })), "INVALID_SHAPE")).toBe(true);
  });
});
