/**
 * The batched dense reference reads codes four at a time: groups that are not a multiple of 4,
 * codes that do not start on a word boundary, and every byte value that is not a ternary code.
 */
import { describe, expect, it } from "vitest";
import { denseGemv } from "../../kernels/index.js";
import { denseAccumulators } from "../../src/verify/dense-batch.js";
import { thrownCode } from "./helpers.js";
import { lcg32 } from "../../src/core/prng.js";

const lcg = lcg32;

function randomCase(M: number, K: number, tokens: number, seed: number): { codes: Int8Array; q: Int8Array } {
  const next = lcg(seed);
  const codes = Int8Array.from({ length: M * K }, () => ((next() >>> 16) % 3) - 1);
  const q = Int8Array.from({ length: tokens * K }, (_, i) => (i % 5 === 0 ? -128 : (next() >>> 24) - 128));
  return { codes, q };
}

function expectDense(got: Int32Array[], codes: Int8Array, M: number, K: number, q: Int8Array, groupSize: number): void {
  got.forEach((acc, t) => {
    const ref = denseGemv(codes, [M, K], q.subarray(t * K, (t + 1) * K), 1, Float32Array.of(1), groupSize);
    expect(acc).toEqual(ref.acc);
  });
}

describe("denseAccumulators on word boundaries", () => {
  for (const [M, K, groupSize] of [[3, 6, 6], [2, 12, 6], [4, 10, 5], [5, 7, 7], [2, 9, 3], [3, 1, 1]] as const) {
    it(`[${M}, ${K}], groups of ${groupSize} (padded to words): same acc as denseGemv for 5 tokens`, () => {
      const { codes, q } = randomCase(M, K, 5, M * 97 + K);
      const got = denseAccumulators(codes, M, K, q, 5, groupSize);
      expect(got).toHaveLength(5);
      expectDense(got, codes, M, K, q, groupSize);
    });
  }

  it("codes at an odd byte offset give the same acc as aligned ones", () => {
    const [M, K] = [6, 256];
    const { codes, q } = randomCase(M, K, 4, 11);
    const shifted = new Int8Array(codes.length + 3).subarray(3);
    shifted.set(codes);
    expect(shifted.byteOffset % 4).not.toBe(0);
    expectDense(denseAccumulators(shifted, M, K, q, 4, 128), codes, M, K, q, 128);
  });

  it("every byte value other than −1, 0, +1 is INVALID_TERNARY at its row and column", () => {
    const [M, K] = [3, 16];
    for (let v = -128; v < 128; v++) {
      if (v >= -1 && v <= 1) continue;
      const codes = new Int8Array(M * K);
      codes[K + 9] = v;
      codes[2 * K + 1] = v; // a later one is not the one reported
      const message = thrownCode(() => denseAccumulators(codes, M, K, new Int8Array(K), 1, K, "w"), "INVALID_TERNARY");
      expect(message).toContain(`expected code ${v} at row 1, column 9`);
    }
  });
});
