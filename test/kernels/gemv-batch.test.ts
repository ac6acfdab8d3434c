/**
 * gemvBatch (several tokens per pass over the packed bytes) against gemv per token and against the
 * dense reference, on the golden layout bytes; the lane packing at its limits; argument checks.
 */
import { describe, expect, it } from "vitest";
import { compareF32, compareI32, denseGemv, getKernel, type GemvResult } from "../../kernels/index.js";
import { LAYOUTS, layoutCases, seededQ, caught } from "./golden-layouts.js";
import { getLayout } from "../../formats/layouts/index.js";

const EXACT = { equal: true, mismatches: 0 };

/** `tokens` seeded tokens, every third one at an int8 extreme, and per-token scales. */
function batch(K: number, tokens: number, seed: number): { q: Int8Array; sx: Float32Array } {
  const q = new Int8Array(tokens * K);
  const sx = new Float32Array(tokens);
  for (let t = 0; t < tokens; t++) {
    if (t % 3 === 2) q.fill(t % 2 ? 127 : -128, t * K, (t + 1) * K);
    else q.set(seededQ(K, seed + 101 * t), t * K);
    sx[t] = Math.fround(127 / (0.25 + t));
  }
  return { q, sx };
}

function expectSame(got: GemvResult, want: GemvResult): void {
  expect(compareI32(got.acc, want.acc)).toEqual(EXACT);
  expect(compareF32(got.y, want.y, { nan: "bits" })).toEqual(EXACT);
}

for (const layout of LAYOUTS) {
  describe(`${layout} gemvBatch on golden bytes`, () => {
    const kernel = getKernel(layout);
    for (const c of layoutCases(layout)) {
      const K = c.shape[1];
      // 1 and 4 tokens fill one pass; 5 and 9 leave a partly filled last pass.
      it(`${c.name}: 1, 4, 5 and 9 tokens equal gemv and denseGemv token by token`, () => {
        for (const tokens of [1, 4, 5, 9]) {
          const { q, sx } = batch(K, tokens, 17 * tokens + K);
          const got = kernel.gemvBatch(c.payload, c.shape, c.params, q, sx);
          expect(got).toHaveLength(tokens);
          for (let t = 0; t < tokens; t++) {
            const qt = q.subarray(t * K, (t + 1) * K);
            expectSame(got[t]!, kernel.gemv(c.payload, c.shape, c.params, qt, sx[t]!));
            expectSame(got[t]!, denseGemv(c.codes, c.shape, qt, sx[t]!, c.scales, kernel.groupSize(c.shape)));
          }
        }
      });
    }

    it("no tokens: no results", () => {
      const c = layoutCases(layout)[0]!;
      expect(kernel.gemvBatch(c.payload, c.shape, c.params, new Int8Array(0), new Float32Array(0))).toEqual([]);
    });
  });
}

describe("gemvBatch argument checks", () => {
  const c = layoutCases("i2_s").find((x) => x.name === "pattern_4x256")!;
  const kernel = getKernel("i2_s");

  it("q must hold exactly one row of K per scale", () => {
    expect(caught(() => kernel.gemvBatch(c.payload, c.shape, undefined, new Int8Array(3 * 256 - 1), new Float32Array(3).fill(1))).code).toBe(
      "SHAPE_MISMATCH",
    );
  });

  it("every token's scale must be > 0 (the failing token is named)", () => {
    for (const bad of [0, -1, NaN]) {
      const e = caught(() => kernel.gemvBatch(c.payload, c.shape, undefined, new Int8Array(3 * 256), Float32Array.of(1, bad, 1)));
      expect(e.code).toBe("USAGE");
      expect(e.message).toContain("token 1");
    }
  });

  it("an invalid byte is INVALID_CODE at its offset, as for gemv", () => {
    const payload = c.payload.slice();
    payload[9] = payload[9]! | 0x0c; // a 2-bit code 3
    const e = caught(() => kernel.gemvBatch(payload, c.shape, undefined, new Int8Array(2 * 256), Float32Array.of(1, 1)));
    expect(e).toMatchObject({ code: "INVALID_CODE", offset: 9 });
  });
});

describe("token lanes at their limits (I2_S, one row)", () => {
  /** I2_S bytes of one row of K codes, all `t`, plus the scale tail (scale 1). */
  function row(K: number, t: number): Uint8Array {
    const payload = new Uint8Array(K / 4 + 32).fill(0x55 * (t + 1), 0, K / 4);
    new DataView(payload.buffer).setFloat32(K / 4, 1, true);
    return payload;
  }

  it("K = 2^18 (two tokens per lane): sums of ±128·K come back exactly for each token", () => {
    const K = 2 ** 18;
    const q = new Int8Array(4 * K);
    q.fill(-128, 0, K).fill(127, K, 2 * K).fill(127, 2 * K, 3 * K).fill(-128, 3 * K);
    const got = getKernel("i2_s").gemvBatch(row(K, -1), [1, K], undefined, q, new Float32Array(4).fill(1));
    expect(got.map((r) => r.acc[0])).toEqual([128 * K, -127 * K, -127 * K, 128 * K]);
  });

  it("K = 2^19 (one token per lane): equals denseGemv for five tokens", () => {
    const K = 2 ** 19;
    const codes = new Int8Array(K).fill(1);
    const { q, sx } = batch(K, 5, 3);
    const got = getKernel("i2_s").gemvBatch(row(K, 1), [1, K], undefined, q, sx);
    for (let t = 0; t < 5; t++) expectSame(got[t]!, denseGemv(codes, [1, K], q.subarray(t * K, (t + 1) * K), sx[t]!, Float32Array.of(1), K));
  });
});

describe("payloads that do not start on a word boundary", () => {
  for (const layout of LAYOUTS) {
    it(`${layout}: a payload at an odd byte offset decodes and multiplies like the aligned one`, () => {
      const kernel = getKernel(layout);
      const c = layoutCases(layout)[0]!;
      const shifted = new Uint8Array(c.payload.length + 1).subarray(1);
      shifted.set(c.payload);
      expect(compareI32(Int32Array.from(kernel.codes(shifted, c.shape, c.params).codes), Int32Array.from(c.codes))).toEqual(EXACT);
      const { q, sx } = batch(c.shape[1], 2, 5);
      const got = kernel.gemvBatch(shifted, c.shape, c.params, q, sx);
      const want = kernel.gemvBatch(c.payload, c.shape, c.params, q, sx);
      for (let t = 0; t < 2; t++) expectSame(got[t]!, want[t]!);
    });
  }
});

describe("payloads longer than one pass of the SIMD loops (kernels/nibble-blocks.ts, two-bit-decode.ts)", () => {
  for (const [layout, M, K] of [["tq2_0", 2100, 512], ["i2_s", 4100, 256], ["i2_s", 700, 2560]] as const) {
    it(`${layout} [${M}, ${K}]: decoded codes are the packed ones; every token's accumulators equal the dense reference's`, () => {
      const codes = new Int8Array(M * K);
      let x = 12345;
      for (let i = 0; i < codes.length; i++) codes[i] = ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 16) % 3 - 1;
      const scales = layout === "tq2_0" ? new Float32Array((M * K) / 256).fill(0.5) : Float32Array.of(0.5);
      const payload = getLayout(layout).pack!({ shape: [M, K], codes, scales }, undefined);
      expect(Buffer.from(getKernel(layout).codes(payload, [M, K]).codes.buffer).equals(Buffer.from(codes.buffer))).toBe(true);
      const { q, sx } = batch(K, 5, 77);
      const got = getKernel(layout).gemvBatch(payload, [M, K], undefined, q, sx);
      for (let t = 0; t < 5; t++) {
        const want = denseGemv(codes, [M, K], q.subarray(t * K, (t + 1) * K), sx[t]!, getKernel(layout).codes(payload, [M, K]).scales, layout === "tq2_0" ? 256 : K);
        expect(compareI32(got[t]!.acc, want.acc)).toEqual(EXACT);
      }
    });
  }
});
