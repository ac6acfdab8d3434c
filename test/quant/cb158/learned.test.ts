import { describe, expect, it } from "vitest";
import { decodeCb158 } from "../../../formats/layouts/cb158-decode.js";
import { packCb158 } from "../../../formats/layouts/cb158-pack.js";
import { cb158Layout } from "../../../formats/layouts/cb158.js";
import { usedBytes } from "../../../formats/layouts/cb158-format.js";
import { learnedValues } from "../../../formats/layouts/cb158-table.js";
import { importanceWeightedError, quantizeCb158 } from "../../../src/quant/cb158/index.js";
import { storeTable } from "../../../src/quant/cb158/learned-fit.js";
import { f16BitsToF32 } from "../../../src/core/half.js";
import { bitsOf, randomMatrix, studentTLike, tinyStoriesLinears } from "./helpers.js";

describe("cb158 learned codebook: bit accounting", () => {
  const cases: { shape: [number, number]; bpw: number }[] = [
    { shape: [64, 128], bpw: 1.58 },
    { shape: [96, 384], bpw: 1.3 },
    { shape: [256, 256], bpw: 1.8 },
    { shape: [40, 1024], bpw: 2.5 },
    { shape: [128, 512], bpw: 1.58 },
  ];
  for (const { shape, bpw } of cases) {
    it(`[${shape.join("×")}] at ${bpw} bpw: table, indices and every other bit counted; decode = reconstruction`, () => {
      const n = shape[0] * shape[1];
      const { tensor, stats, reconstruction } = quantizeCb158(studentTLike(n, n + bpw * 1000, 3, 0.02), shape, { bpw, codebook: "learned" });
      const bytes = packCb158(tensor);
      expect(stats.codebook).toBe("learned");
      expect(bytes[0]).toBe(2);
      expect(bytes.length).toBe(cb158Layout.bytesFor(shape, { bpw }));
      expect(Math.abs((bytes.length * 8) / n - bpw)).toBeLessThanOrEqual(0.005);
      const { width0, levels, entries } = tensor.codebook!;
      expect(entries.length).toBe(8 * 2 ** (width0 + levels - 1));
      expect(stats.codebookEntries).toBe(2 ** (width0 + levels - 1));
      expect(stats.bits.codebook).toBe(8 * (1 + 2 + entries.length));
      const { fixed, codebook, indices, salient, outliers, padding } = stats.bits;
      expect(fixed + codebook + indices + salient + outliers + padding).toBe(8 * bytes.length);
      expect(8 * usedBytes(tensor) + padding).toBe(8 * bytes.length);
      expect(padding).toBeLessThan(56);
      expect(Math.max(...tensor.tiers)).toBeLessThan(levels);
      expect(stats.tierWidths.slice(0, levels)).toEqual(Array.from({ length: levels }, (_, t) => width0 + t));
      expect(bitsOf(decodeCb158(bytes, shape))).toEqual(bitsOf(reconstruction));
    });
  }
});

describe("cb158 learned codebook: determinism and storage", () => {
  it("same input → identical bytes; entries are q·τ with τ a power of two", () => {
    const w = studentTLike(128 * 512, 5, 3, 0.02);
    const a = packCb158(quantizeCb158(w, [128, 512], { codebook: "learned" }).tensor);
    const b = packCb158(quantizeCb158(w.slice(), [128, 512], { codebook: "learned" }).tensor);
    expect(b).toEqual(a);
    const t = quantizeCb158(w, [128, 512], { codebook: "learned" }).tensor.codebook!;
    const step = learnedValues({ ...t, entries: Int8Array.of(1) })[0]!;
    expect(Number.isInteger(Math.log2(step))).toBe(true);
    expect(learnedValues(t).every((v, i) => v === t.entries[i]! * step)).toBe(true);
  });

  it('"learned" without room for any table is a USAGE error; "auto" then keeps the grid', () => {
    // [8, 32] at 1.2 bpw: 38 bytes; the grid's 5-bit tier needs 160 of the 168 index bits, the
    // smallest table (2 entries: 19 bytes) leaves 16.
    const w = randomMatrix(8, 32, 3);
    const options = { bpw: 1.2, salientFraction: 0, outlierFraction: 0 };
    expect(() => quantizeCb158(w, [8, 32], { ...options, codebook: "learned" })).toThrow(/USAGE.*no table fits/);
    const auto = quantizeCb158(w, [8, 32], options);
    expect(auto.stats.codebook).toBe("grid");
    expect(auto.stats.codebookErrors.learned).toBeUndefined();
  });
});

describe("cb158 learned codebook beats the grid where the grid's shape is wrong", () => {
  it("1024×1024 Student-t (ν = 3) at 1.58 bpw: learned ε_h < grid ε_h, and auto picks learned", () => {
    const shape: [number, number] = [1024, 1024];
    const w = studentTLike(1024 * 1024, 11, 3, 0.02);
    const h = Float32Array.from({ length: 1024 }, (_, j) => 1 + (j % 7));
    const eh = (codebook: "grid" | "learned" | "auto") => {
      const r = quantizeCb158(w, shape, { codebook, importance: h });
      return { r, eh: importanceWeightedError(w, r.reconstruction, 1024, h) };
    };
    const grid = eh("grid");
    const learned = eh("learned");
    expect(grid.r.stats.codebook).toBe("grid");
    expect(learned.r.stats.codebook).toBe("learned");
    expect(learned.eh).toBeLessThan(grid.eh - 0.01);
    const auto = eh("auto");
    expect(auto.r.stats.codebook).toBe("learned");
    expect(auto.eh).toBe(learned.eh);
    expect(auto.r.stats.codebookErrors.grid).toBeCloseTo(grid.eh, 3);
    expect(auto.r.stats.codebookErrors.learned).toBeCloseTo(learned.eh, 3);
  }, 60_000);
});

describe('cb158 "auto" on TinyStories keeps the grid (measured: a table costs more than it saves)', async () => {
  const linears = await tinyStoriesLinears();
  for (const t of linears) {
    it(`${t.name} [${t.shape.join("×")}]`, () => {
      const auto = quantizeCb158(t.values, t.shape);
      const { grid, learned } = auto.stats.codebookErrors;
      expect(learned).toBeDefined();
      expect(learned!).toBeGreaterThan(grid);
      expect(auto.stats.codebook).toBe("grid");
      expect(auto.stats.bits.codebook).toBe(0);
      expect(auto.tensor.codebook).toBeUndefined();
    });
  }
});

describe("storeTable: int8 entries times the smallest power-of-two step that holds the largest value", () => {
  const f16 = (bits: number) => f16BitsToF32(bits);
  for (const [what, top, step] of [
    ["exactly 127 · 2^-3", 127 / 8, 1 / 8],
    ["one ulp above 127 · 2^-3: the next power of two", 127 / 8 + 2 ** -49, 1 / 4],
    ["just below 127", 127 * (1 - 2 ** -40), 1],
    ["1.5 (±1 entries stay exact)", 1.5, 1 / 64],
  ] as const) {
    it(what, () => {
      const table = Float64Array.of(top, -top / 3, 1, -1, 0, top / 2, 0.25, -0.125);
      const { step: bits, entries } = storeTable(table);
      const tau = f16(bits);
      expect(tau).toBe(step);
      for (let i = 0; i < table.length; i++) {
        expect(Math.abs(entries[i]!)).toBeLessThanOrEqual(127);
        expect(Math.abs(entries[i]! * tau - table[i]!)).toBeLessThanOrEqual(tau / 2);
      }
      if (tau <= 1) expect([entries[2]! * tau, entries[3]! * tau]).toEqual([1, -1]);
    });
  }
});
