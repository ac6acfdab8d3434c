/** The verifier's batched dense reference equals kernels' denseGemv, token by token. */
import { describe, expect, it } from "vitest";
import { denseGemv } from "../../kernels/index.js";
import { denseAccumulators, MAX_DENSE_GROUP } from "../../src/verify/dense-batch.js";
import { thrownCode } from "./helpers.js";
import { lcg32 } from "../../src/core/prng.js";

const lcg = lcg32;

function randomCase(M: number, K: number, tokens: number, seed: number): { codes: Int8Array; q: Int8Array } {
  const next = lcg(seed);
  const codes = Int8Array.from({ length: M * K }, () => ((next() >>> 16) % 3) - 1);
  // extremes included: −128 and 127 at the start of every token, then uniform int8
  const q = Int8Array.from({ length: tokens * K }, (_, i) => (i % K === 0 ? -128 : i % K === 1 ? 127 : (next() >>> 24) - 128));
  return { codes, q };
}

describe("denseAccumulators", () => {
  for (const tokens of [1, 3, 4, 5, 9]) {
    for (const [M, K, groupSize] of [[7, 512, 512], [5, 768, 256], [3, 128, 128]] as const) {
      it(`${tokens} token(s), [${M}, ${K}], groups of ${groupSize}: same acc as denseGemv per token`, () => {
        const { codes, q } = randomCase(M, K, tokens, 31 * tokens + K);
        const got = denseAccumulators(codes, M, K, q, tokens, groupSize);
        expect(got).toHaveLength(tokens);
        for (let t = 0; t < tokens; t++) {
          const ref = denseGemv(codes, [M, K], q.subarray(t * K, (t + 1) * K), 1, Float32Array.of(1), groupSize);
          expect(got[t]).toEqual(ref.acc);
        }
      });
    }
  }

  it("extreme sums at the largest group size (2^23) come back exactly in every token", () => {
    const K = MAX_DENSE_GROUP;
    const codes = new Int8Array(K).fill(-1);
    const q = new Int8Array(4 * K);
    q.fill(-128, 0, K).fill(127, K, 2 * K).fill(127, 2 * K, 3 * K).fill(-128, 3 * K);
    const got = denseAccumulators(codes, 1, K, q, 4, K).map((a) => a[0]);
    expect(got).toEqual([128 * K, -127 * K, -127 * K, 128 * K]);
    thrownCode(() => denseAccumulators(new Int8Array(2 * K), 1, 2 * K, new Int8Array(2 * K), 1, 2 * K), "LIMIT_EXCEEDED");
  });

  it("groups not a multiple of 16 (zero-padded in the module), rows over several module calls, 5–7 tokens", () => {
    for (const [M, K, groupSize, tokens] of [[3000, 200, 100, 5], [40, 240, 24, 6], [9, 35, 5, 7], [1, 2 ** 19, 2 ** 19, 4]] as const) {
      const { codes, q } = randomCase(M, K, tokens, M + K);
      const got = denseAccumulators(codes, M, K, q, tokens, groupSize);
      for (let t = 0; t < tokens; t++) {
        const ref = denseGemv(codes, [M, K], q.subarray(t * K, (t + 1) * K), 1, Float32Array.of(1), groupSize);
        expect(got[t]).toEqual(ref.acc);
      }
    }
  });

  it("a bad code in a later module call is reported at its row and column", () => {
    const codes = new Int8Array(3000 * 200);
    codes[2500 * 200 + 17] = -2;
    const message = thrownCode(() => denseAccumulators(codes, 3000, 200, new Int8Array(200), 1, 100, "w"), "INVALID_TERNARY");
    expect(message).toContain("row 2500, column 17");
  });

  it("rejects a code outside {−1, 0, +1} with its position", () => {
    const codes = new Int8Array(2 * 256);
    codes[256 + 7] = 2;
    const message = thrownCode(() => denseAccumulators(codes, 2, 256, new Int8Array(256), 1, 256, "w"), "INVALID_TERNARY");
    expect(message).toContain("row 1, column 7");
  });
});
