/**
 * The CB158 reference kernel on learned-table payloads (version 2): bit-exact against the layout's
 * decode on random and TinyStories tensors, GEMV against a dense float64 product, the section map
 * read from the spec's sizes, and one rejection per version-2 field a writer never produces.
 */
import { describe, expect, it } from "vitest";
import { getLayout } from "../../formats/layouts/registry.js";
import { openCheckpoint } from "../../formats/safetensors/index.js";
import { cb158Kernel } from "../../kernels/reference/cb158.js";
import { fixturePath } from "../helpers/fixtures.js";
import { lcg, packValues, randomCase, type Cb158Case } from "./cb158-inputs.js";

const bitsOf = (a: Float32Array) => new Uint32Array(a.buffer, a.byteOffset, a.length);

function expectMatchesLayout(c: Cb158Case): void {
  const [M, K] = c.shape;
  expect(c.bytes[0]).toBe(2);
  const W = cb158Kernel.dequantize(c.bytes, c.shape);
  expect(bitsOf(W)).toEqual(bitsOf(getLayout("cb158").decode(c.bytes, c.shape)));
  const rnd = lcg(M * 3 + K);
  const x = new Float32Array(K).map(() => rnd());
  const dense = new Float64Array(M);
  for (let i = 0; i < M; i++) for (let j = 0; j < K; j++) dense[i]! += W[i * K + j]! * x[j]!;
  expect(cb158Kernel.gemv(c.bytes, c.shape, undefined, x)).toEqual(dense);
}

describe("cb158 kernel = layout decode (learned tables)", () => {
  const shapes: [number, number][] = [[64, 128], [97, 96], [33, 224], [8, 512]];
  for (const shape of shapes) {
    for (const bpw of [1.3, 1.58, 2.0]) it(`[${shape}] at ${bpw} bpw`, () => expectMatchesLayout(randomCase(shape, bpw, 5, 10, "learned")));
  }
  it("TinyStories projections with hot columns", async () => {
    const checkpoint = await openCheckpoint(fixturePath("tinystories-656k"));
    try {
      for (const name of ["model.layers.0.self_attn.q_proj.weight", "model.layers.1.mlp.down_proj.weight"]) {
        const shape = checkpoint.get(name)!.shape as [number, number];
        const c = packValues(await checkpoint.readFloat32(name), shape, 1.58, [5, 17, 60, 101], "learned");
        expect(c.bits.salient + c.bits.outliers).toBeGreaterThan(0);
        expectMatchesLayout(c);
      }
    } finally {
      await checkpoint.close();
    }
  }, 30_000);
});

/** Section starts of a version-2 payload from the spec's sizes (§5–§9) and the header alone. */
function specLayout(bytes: Uint8Array, [M, K]: [number, number]) {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const B = (M * K) / 32;
  const S = Math.ceil(B / 8);
  const [w0, Ns, No, T] = [bytes[1]!, dv.getUint32(2, true), dv.getUint32(6, true), bytes[10]!];
  const L = 2 ** (w0 + T - 1);
  const tiers = 13 + 8 * L;
  let indexBits = 0;
  for (let s = 0; s < S; s++) indexBits += 4 * Math.min(8, B - 8 * s) * (w0 + ((bytes[tiers + (s >> 2)]! >> (2 * (s & 3))) & 3));
  const scales = tiers + Math.ceil(S / 4);
  const codes = scales + 2 * S;
  const indices = codes + Math.ceil(B / 2);
  const columns = indices + Math.ceil(indexBits / 8);
  const columnScales = columns + 2 * Ns;
  const salientCodes = columnScales + 2 * Ns * Math.ceil(M / 32);
  const outliers = salientCodes + Math.ceil((Ns * M) / 2);
  const residuals = outliers + 4 * No;
  return { S, T, L, tiers, scales, codes, indices, columns, columnScales, salientCodes, outliers, residuals, padding: residuals + 2 * No };
}

describe("cb158 version 2 rejects what a writer never produces", () => {
  const c = randomCase([97, 96], 1.3, 11, 10, "learned");
  const L = specLayout(c.bytes, c.shape);

  it("has the spec's section map, with the learned table between the header and the tier ids", () => {
    const sections = cb158Kernel.sections(c.bytes, c.shape);
    expect(sections.map((s) => s.name)).toEqual([
      "header", "learned table", "tier ids", "super-block scales", "block scale codes", "group indices",
      "salient columns", "salient scales", "salient codes", "outlier indices", "outlier residuals", "padding",
    ]);
    expect(sections.map((s) => s.start)).toEqual([0, 11, L.tiers, L.scales, L.codes, L.indices, L.columns, L.columnScales, L.salientCodes, L.outliers, L.residuals, L.padding]);
    expect(L.T).toBeLessThan(4); // so a tier id of T is out of use
  });

  const tierIdAt = (b: Uint8Array, s: number, tier: number) => (b[L.tiers + (s >> 2)] = (b[L.tiers + (s >> 2)]! & ~(3 << (2 * (s & 3)))) | (tier << (2 * (s & 3))));
  const corruptions: [string, (b: Uint8Array) => void, number, string][] = [
    ["tier count 0", (b) => (b[10] = 0), 10, "tier count 0"],
    ["tier count 5", (b) => (b[10] = 5), 10, "tier count 5"],
    ["table wider than 12 bits", (b) => (b[1] = 13 - b[10]! + 1), 1, "widest 12"],
    ["tier-0 width 0", (b) => (b[1] = 0), 1, "tier-0 width 0"],
    ["step τ zero", (b) => (b[11] = 0, b[12] = 0), 11, "step τ 0x0"],
    ["step τ negative", (b) => (b[12]! |= 0x80), 11, "step τ"],
    ["step τ +Inf", (b) => (b[11] = 0, b[12] = 0x7c), 11, "step τ 0x7c00"],
    ["tier id ≥ T", (b) => tierIdAt(b, 1, L.T), L.tiers, `tier id ${L.T} is not in use`],
  ];
  for (const [what, corrupt, offset, detail] of corruptions) {
    it(what, () => {
      const bytes = c.bytes.slice();
      corrupt(bytes);
      expect(bytes).not.toEqual(c.bytes);
      for (const run of [() => cb158Kernel.dequantize(bytes, c.shape), () => cb158Kernel.gemv(bytes, c.shape, undefined, new Float32Array(96))]) {
        expect(run).toThrow(expect.objectContaining({ code: "INVALID_CODE", offset, detail: expect.stringContaining(detail) }));
      }
      expect(() => getLayout("cb158").decode(bytes, c.shape)).toThrow(/INVALID_(CODE|SCALE)/);
    });
  }

  it("a learned table running past the payload end is INVALID_CODE at the step τ", () => {
    const bytes = c.bytes.slice();
    bytes[1] = 12 - bytes[10]! + 1; // the widest table: 4096 entries, far beyond this payload
    expect(() => cb158Kernel.dequantize(bytes, c.shape)).toThrow(expect.objectContaining({ code: "INVALID_CODE", offset: 11 }));
  });
});
