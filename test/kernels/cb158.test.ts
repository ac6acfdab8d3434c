/**
 * The CB158 reference kernel against ternpack's CB158 layout: bit-exact dequantization on random and
 * TinyStories tensors at several rates, GEMV against a dense float64 product, the spec's codebook
 * facts, the import boundary, and one rejection per field a writer never produces.
 */
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { getLayout } from "../../formats/layouts/registry.js";
import { openCheckpoint } from "../../formats/safetensors/index.js";
import { cb158Kernel } from "../../kernels/reference/cb158.js";
import { CODEWORDS, TIER_SIZE, TIER_WIDTH } from "../../kernels/reference/cb158-codebook.js";
import { fixturePath } from "../helpers/fixtures.js";
import { lcg, packValues, randomCase, type Cb158Case } from "./cb158-inputs.js";

const RATES = [1.3, 1.58, 2.0];
const bitsOf = (a: Float32Array) => new Uint32Array(a.buffer, a.byteOffset, a.length);

/** The kernel matches the layout's decode bit for bit, and gemv a dense float64 product of it. */
function expectMatchesLayout(c: Cb158Case): void {
  const [M, K] = c.shape;
  const expected = getLayout("cb158").decode(c.bytes, c.shape);
  const W = cb158Kernel.dequantize(c.bytes, c.shape);
  expect(bitsOf(W)).toEqual(bitsOf(expected));
  const rnd = lcg(M * 7 + K);
  const x = new Float32Array(K).map(() => rnd());
  const dense = new Float64Array(M);
  for (let i = 0; i < M; i++) for (let j = 0; j < K; j++) dense[i]! += W[i * K + j]! * x[j]!;
  expect(cb158Kernel.gemv(c.bytes, c.shape, undefined, x)).toEqual(dense);
}

describe("cb158 kernel sources", () => {
  const dir = fileURLToPath(new URL("../../kernels/reference/", import.meta.url));
  const files = readdirSync(dir).filter((f) => /^cb158.*\.ts$/.test(f));
  const specifiers = (src: string) =>
    [/\b(?:import|export)\s[^;]*?\bfrom\s*["']([^"']+)["']/g, /\bimport\s*\(?\s*["']([^"']+)["']/g, /\brequire\s*\(\s*["']([^"']+)["']/g].flatMap((p) =>
      Array.from(src.matchAll(p), (m) => m[1]!),
    );

  it("import nothing from formats/ or src/quant (only node:, src/core and kernels)", () => {
    expect(files.length).toBeGreaterThanOrEqual(4);
    const all = files.flatMap((f) => specifiers(readFileSync(dir + f, "utf8")).map((s) => [f, s] as const));
    expect(all.map(([, s]) => s)).toContain("../../src/core/half.js");
    for (const [f, s] of all) expect(`${f} → ${s}`).toMatch(/→ (node:|\.\.\/\.\.\/src\/core\/|\.\.\/[a-z-]+\.js$|\.\/cb158[a-z-]*\.js$)/);
    expect(specifiers(`import { x } from "../../formats/layouts/cb158.js"; import("../../src/quant/cb158/index.js")`)).toEqual([
      "../../formats/layouts/cb158.js",
      "../../src/quant/cb158/index.js",
    ]);
  });
});

describe("cb158 codebook (spec §3)", () => {
  const word = (i: number) => Array.from(CODEWORDS.subarray(8 * i, 8 * i + 8));
  it("orders codewords by (nnz, v): the spec's named entries", () => {
    expect(word(0)).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(word(1)).toEqual([0, 0, 0, 0, 0, 0, 0, -1]);
    expect(word(8)).toEqual([-1, 0, 0, 0, 0, 0, 0, 0]);
    expect(word(9)).toEqual([1, 0, 0, 0, 0, 0, 0, 0]);
    expect(word(16)).toEqual([0, 0, 0, 0, 0, 0, 0, 1]);
    expect(word(6560)).toEqual([1, 1, 1, 1, 1, 1, 1, 1]);
  });
  it("has the spec's P(m) and width(m); nnz never falls and v rises within one nnz", () => {
    expect(TIER_SIZE).toEqual([1, 17, 129, 577, 1697, 3489, 5281, 6305, 6561]);
    expect(TIER_WIDTH).toEqual([0, 5, 8, 10, 11, 12, 13, 13, 13]);
    const nnz = Array.from({ length: 6561 }, (_, i) => word(i).filter((c) => c !== 0).length);
    const v = Array.from({ length: 6561 }, (_, i) => word(i).reduce((a, c, j) => a + (c + 1) * 3 ** j, 0));
    expect(new Set(v).size).toBe(6561);
    for (let i = 1; i < 6561; i++) expect(nnz[i]! > nnz[i - 1]! || (nnz[i] === nnz[i - 1] && v[i]! > v[i - 1]!), `index ${i}`).toBe(true);
    for (let m = 0; m <= 8; m++) expect(nnz.filter((k) => k <= m).length).toBe(TIER_SIZE[m]);
  });
});

describe("cb158 kernel = layout decode (random matrices)", () => {
  const shapes: [number, number][] = [[64, 128], [97, 96], [33, 224], [8, 512], [1, 256]];
  const cases = shapes.flatMap((shape) => RATES.map((bpw) => randomCase(shape, bpw, 11)));
  for (const c of cases) it(`[${c.shape}] at ${c.bpw} bpw`, () => expectMatchesLayout(c));
  it("the suite holds salient columns and outliers (quantizer stats)", () => {
    expect(cases.filter((c) => c.bits.salient > 0 && c.bits.outliers > 0).length).toBeGreaterThanOrEqual(4);
    for (const c of cases) expect(c.bits.salient > 0).toBe(c.salientColumns.length > 0);
  });
});

describe("cb158 kernel = layout decode (TinyStories weights)", () => {
  const names = ["model.layers.0.self_attn.q_proj.weight", "model.layers.1.mlp.down_proj.weight", "model.layers.0.mlp.gate_proj.weight"];
  it("matches on three projections at 1.3, 1.58 and 2.0 bpw, hot columns giving salient columns and outliers", async () => {
    const checkpoint = await openCheckpoint(fixturePath("tinystories-656k"));
    try {
      for (const name of names) {
        const shape = checkpoint.get(name)!.shape as [number, number];
        const values = await checkpoint.readFloat32(name);
        for (const bpw of RATES) {
          const c = packValues(values, shape, bpw, [5, 17, 60, 101]);
          expect(c.bits.outliers, `${name} ${bpw}`).toBeGreaterThan(0);
          if (bpw < 2) expect(c.bits.salient, `${name} ${bpw}`).toBeGreaterThan(0);
          expectMatchesLayout(c);
        }
      }
    } finally {
      await checkpoint.close();
    }
  }, 30_000);
});

/** Section starts from the spec's sizes (§5–§9), read from the header and the tier ids alone. */
function specLayout(bytes: Uint8Array, [M, K]: [number, number]) {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const B = (M * K) / 32;
  const S = Math.ceil(B / 8);
  const [cap0, Ns, No] = [bytes[1]!, dv.getUint32(2, true), dv.getUint32(6, true)];
  let indexBits = 0;
  for (let s = 0; s < S; s++) indexBits += 4 * Math.min(8, B - 8 * s) * TIER_WIDTH[cap0 + ((bytes[10 + (s >> 2)]! >> (2 * (s & 3))) & 3)]!;
  const R = Math.ceil(M / 32);
  const tiers = 10;
  const scales = tiers + Math.ceil(S / 4);
  const codes = scales + 2 * S;
  const indices = codes + Math.ceil(B / 2);
  const columns = indices + Math.ceil(indexBits / 8);
  const columnScales = columns + 2 * Ns;
  const salientCodes = columnScales + 2 * Ns * R;
  const outliers = salientCodes + Math.ceil((Ns * M) / 2);
  const residuals = outliers + 4 * No;
  return { B, S, Ns, No, R, indexBits, tiers, scales, codes, indices, columns, columnScales, salientCodes, outliers, residuals, padding: residuals + 2 * No };
}

describe("cb158 rejects what a writer never produces (INVALID_CODE at the field)", () => {
  const c = randomCase([97, 96], 1.58, 11);
  const L = specLayout(c.bytes, c.shape);
  const n = 97 * 96;
  const put16 = (b: Uint8Array, at: number, v: number) => new DataView(b.buffer).setUint16(at, v, true);
  const put32 = (b: Uint8Array, at: number, v: number) => new DataView(b.buffer).setUint32(at, v, true);
  const u32 = (at: number) => new DataView(c.bytes.buffer).getUint32(at, true);
  const capOf0 = c.bytes[1]! + (c.bytes[10]! & 3);
  /** Sets the first `width` bits (LSB-first) of the stream at `at`: the largest width-bit index. */
  const setLowBits = (b: Uint8Array, at: number, width: number) => {
    for (let i = 0; i < width; i++) b[at + (i >> 3)]! |= 1 << (i & 7);
  };

  it("the case has odd B, S % 4 ≠ 0, odd Ns·M, ≥ 2 salient columns and outliers, and the spec's section map", () => {
    expect([L.B % 2, L.S % 4 !== 0, (L.Ns * 97) % 2, L.Ns >= 2, L.No >= 2]).toEqual([1, true, 1, true, true]);
    expect(L.padding).toBeLessThan(c.bytes.length);
    const starts = cb158Kernel.sections(c.bytes, c.shape).map((s) => s.start);
    expect(starts).toEqual([0, L.tiers, L.scales, L.codes, L.indices, L.columns, L.columnScales, L.salientCodes, L.outliers, L.residuals, L.padding]);
  });

  const corruptions: [string, (b: Uint8Array) => void, number, string][] = [
    ["version 3", (b) => (b[0] = 3), 0, "version 3"],
    ["cap0 0", (b) => (b[1] = 0), 1, "cap 0"],
    ["cap0 6", (b) => (b[1] = 6), 1, "cap 6"],
    ["Ns > K", (b) => put32(b, 2, 97), 2, "97 salient columns"],
    ["No > n", (b) => put32(b, 6, n + 1), 6, "outliers >"],
    ["tier-id fill bits", (b) => (b[L.scales - 1]! |= 0x80), L.scales - 1, "fill bits after the tier ids"],
    ["super-block scale sign bit", (b) => (b[L.scales + 3]! |= 0x80), L.scales + 2, "sign bit"],
    ["super-block scale +Inf", (b) => put16(b, L.scales + 2, 0x7c00), L.scales + 2, "non-finite super-block scale"],
    ["super-block scale NaN", (b) => put16(b, L.scales + 4, 0x7e01), L.scales + 4, "non-finite super-block scale"],
    ["block scale code fill nibble", (b) => (b[L.indices - 1]! |= 0xf0), L.indices - 1, "after the block scale codes"],
    ["group index ≥ P(cap)", (b) => setLowBits(b, L.indices, TIER_WIDTH[capOf0]!), L.indices, "group index"],
    ["salient column ≥ K", (b) => put16(b, L.columns, 96), L.columns, "≥ K"],
    ["salient columns not ascending", (b) => put16(b, L.columns + 2, new DataView(b.buffer).getUint16(L.columns, true)), L.columns + 2, "not above"],
    ["salient scale sign bit", (b) => (b[L.columnScales + 5]! |= 0x80), L.columnScales + 4, "salient column scale"],
    ["salient scale −Inf", (b) => put16(b, L.columnScales, 0xfc00), L.columnScales, "non-finite salient column scale"],
    ["salient code −8", (b) => (b[L.salientCodes + 3] = (b[L.salientCodes + 3]! & 0x0f) | 0x80), L.salientCodes + 3, "salient code −8"],
    ["salient code fill nibble", (b) => (b[L.outliers - 1]! |= 0x10), L.outliers - 1, "after the salient codes"],
    ["outlier index ≥ n", (b) => put32(b, L.outliers, n), L.outliers, "≥ n"],
    ["outlier indices not ascending", (b) => put32(b, L.outliers + 4, u32(L.outliers)), L.outliers + 4, "not above"],
    ["outlier in a salient column", (b) => put32(b, L.outliers + 4, u32(L.outliers + 4) - (u32(L.outliers + 4) % 96) + c.salientColumns[0]!), L.outliers + 4, "lies in salient column"],
    ["outlier residual NaN", (b) => put16(b, L.residuals + 2, 0x7fff), L.residuals + 2, "non-finite outlier residual"],
    ["non-zero padding", (b) => (b[b.length - 1] = 1), c.bytes.length - 1, "padding"],
  ];
  for (const [what, corrupt, offset, detail] of corruptions) {
    it(what, () => {
      const bytes = c.bytes.slice();
      corrupt(bytes);
      expect(bytes).not.toEqual(c.bytes);
      for (const run of [() => cb158Kernel.dequantize(bytes, c.shape), () => cb158Kernel.gemv(bytes, c.shape, undefined, new Float32Array(96))]) {
        expect(run).toThrow(expect.objectContaining({ code: "INVALID_CODE", offset, detail: expect.stringContaining(detail) }));
      }
    });
  }

  it("a section running past the payload end is INVALID_CODE at its start; a payload too short for the fixed sections is SHAPE_MISMATCH", () => {
    expect(() => cb158Kernel.dequantize(c.bytes.subarray(0, L.indices + 10), c.shape)).toThrow(expect.objectContaining({ code: "INVALID_CODE", offset: L.indices }));
    expect(() => cb158Kernel.dequantize(c.bytes.subarray(0, L.outliers + 4), c.shape)).toThrow(expect.objectContaining({ code: "INVALID_CODE", offset: L.outliers }));
    expect(() => cb158Kernel.dequantize(c.bytes.subarray(0, L.indices - 1), c.shape)).toThrow(expect.objectContaining({ code: "SHAPE_MISMATCH" }));
  });

  it("rejects shapes the layout cannot hold and a wrong-length x", () => {
    expect(() => cb158Kernel.dequantize(c.bytes, [97, 48])).toThrow(expect.objectContaining({ code: "LAYOUT_UNSUPPORTED_SHAPE" }));
    expect(() => cb158Kernel.dequantize(c.bytes, [97, 16])).toThrow(expect.objectContaining({ code: "LAYOUT_UNSUPPORTED_SHAPE" }));
    expect(() => cb158Kernel.gemv(c.bytes, c.shape, undefined, new Float32Array(95))).toThrow(expect.objectContaining({ code: "SHAPE_MISMATCH" }));
  });
});
