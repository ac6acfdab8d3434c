/** Quantize random floats, pack with each ternary layout, verify through the kernels: everything passes. */
import { describe, expect, it } from "vitest";
import { tl2Split } from "../../formats/layouts/tl-constraints.js";
import { blockScalesFromTensorScale } from "../../formats/layouts/tq-layout.js";
import { verifyPacked, verifyTensor, type VerifyResult } from "../../src/verify/index.js";
import { inputFor, quantizeAndPack, type Packed, type TernaryLayoutName } from "./helpers.js";

type Case = { layout: TernaryLayoutName; M: number; K: number; tl?: { BM: number; BK: number; bm: number } | "preset"; zeros?: { from: number; to: number } };

const CASES: Case[] = [
  { layout: "i2_s", M: 4, K: 256 },
  { layout: "i2_s", M: 3, K: 384, zeros: { from: 384, to: 768 } }, // an all-zero row
  { layout: "i2_s", M: 64, K: 1024 },
  { layout: "tl1", M: 32, K: 64, tl: { BM: 32, BK: 64, bm: 32 } },
  { layout: "tl1", M: 64, K: 128, tl: { BM: 64, BK: 64, bm: 64 } },
  { layout: "tl1", M: 96, K: 320 }, // resolveTlParams rule
  { layout: "tl1", M: 1536, K: 1536, tl: "preset" }, // bitnet_b1_58-large preset, no params passed
  { layout: "tl2", M: 32, K: 288, tl: { BM: 32, BK: 96, bm: 32 } }, // K2 = 0
  { layout: "tl2", M: 64, K: 320, tl: { BM: 32, BK: 96, bm: 32 } }, // K2 = 32
  { layout: "tl2", M: 128, K: 512 }, // resolveTlParams rule: BK = 96, K2 = 32
  { layout: "tq1_0", M: 2, K: 256 },
  { layout: "tq1_0", M: 5, K: 768, zeros: { from: 256, to: 512 } }, // an all-zero block (d = 0)
  { layout: "tq2_0", M: 2, K: 256 },
  { layout: "tq2_0", M: 5, K: 768, zeros: { from: 1024, to: 1280 } },
];

function expectAllOk(r: VerifyResult, p: Packed): void {
  expect(r.failure).toBeUndefined();
  expect(r.checks).toEqual({ codes: { ok: true }, scales: { ok: true }, gemv: { ok: true }, reserved: { ok: true } });
  expect(r.ok).toBe(true);
  expect(r.layout).toBe(p.layout);
  expect(r.gemvVectors).toBe(4);
  expect(r.elapsedMs).toBeGreaterThanOrEqual(0);
}

describe("verifyTensor accepts what ternpack packs", () => {
  for (const c of CASES) {
    const tiling = c.tl === undefined ? "" : c.tl === "preset" ? " (preset)" : ` BM=${c.tl.BM} BK=${c.tl.BK} bm=${c.tl.bm}`;
    it(`${c.layout} [${c.M}, ${c.K}]${tiling}${c.zeros ? " with zeros" : ""}`, () => {
      const p = quantizeAndPack(c.layout, c.M, c.K, 1000 + c.M + c.K, c);
      expectAllOk(verifyTensor(inputFor(p)), p);
    });
  }

  it("the TL2 rule case really has a pair tail, and the zero cases really hold an all-zero row / block", () => {
    const p = quantizeAndPack("tl2", 128, 512, 7);
    expect(tl2Split(512, p.params!.tl!.BK).K2).toBeGreaterThan(0);
    const tq = quantizeAndPack("tq2_0", 5, 768, 7, { zeros: { from: 1024, to: 1280 } });
    expect(blockScalesFromTensorScale(tq.ternary.codes, tq.shape, tq.ternary.scales[0]!)[4]).toBe(0);
  });

  it("counts seeds × (tokens + 1) probe vectors", () => {
    const p = quantizeAndPack("tq2_0", 2, 256, 3);
    const r = verifyTensor(inputFor(p), { seeds: [5, 6, 7], tokens: 2 });
    expect(r.ok).toBe(true);
    expect(r.gemvVectors).toBe(9);
  });

  it("TQ: per-tensor, per-row and per-block expected scales mean the same stored d", () => {
    const p = quantizeAndPack("tq1_0", 3, 512, 11, { zeros: { from: 0, to: 256 } });
    const sigma = p.ternary.scales[0]!;
    const perRow = new Float32Array(3).fill(sigma);
    const perBlock = blockScalesFromTensorScale(p.ternary.codes, p.shape, sigma);
    for (const scales of [p.ternary.scales, perRow, perBlock]) {
      expect(verifyTensor(inputFor(p, { expected: { codes: p.ternary.codes, scales } })).ok).toBe(true);
    }
  });
});

describe("verifyPacked (pipeline entry point)", () => {
  for (const layout of ["i2_s", "tl2", "tq2_0"] as const) {
    it(`${layout}: verifies the ternary tensor against its payload`, () => {
      const p = quantizeAndPack(layout, 32, 512, 21);
      const r = verifyPacked("blk.3.attn_q.weight", layout, p.ternary, p.bytes, p.params);
      expectAllOk(r, p);
      expect(r.name).toBe("blk.3.attn_q.weight");
    });
  }

  it("reports a mismatch the same way verifyTensor does", () => {
    const p = quantizeAndPack("i2_s", 4, 256, 22);
    const bytes = p.bytes.slice();
    bytes[0] = 0xff; // code 3 in every slot
    const a = verifyPacked("w", "i2_s", p.ternary, bytes);
    const b = verifyTensor(inputFor(p, { name: "w", bytes }));
    expect(a.ok).toBe(false);
    expect({ ...a, elapsedMs: 0 }).toEqual({ ...b, elapsedMs: 0 });
  });
});
