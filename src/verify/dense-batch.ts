/**
 * The dense integer reference (what kernels/dense.ts `denseGemv` computes: Σ t·q per row and scale
 * group over plain int8 codes, no layout involved) for several tokens in one pass over the codes.
 * `denseGemv` reads all M·K codes once per token; the verifier probes 4 tokens per tensor, so that
 * was the largest part of verification. test/verify/dense-batch.test.ts checks this against it.
 *
 * Two tokens share one float64 lane: v[k] = q_a[k] + q_b[k]·S with S a power of two > 256·G
 * (G = group size). Since t ∈ {−1, 0, +1}, every partial sum is an integer of magnitude at most
 * 128·G·(S + 1) ≤ 2^53 for G ≤ 2^18, so float64 adds are exact; and |Σ t·q_a| ≤ 128·G < S/2, so
 * Σ t·v splits back into hi = round(sum / S) (= Σ t·q_b) and lo = sum − hi·S (= Σ t·q_a).
 */
import { fail } from "../core/errors.js";

/** Tokens per pass: two float64 lanes of two tokens each. */
const TOKENS_PER_PASS = 4;
const MAX_GROUP = 2 ** 18;

/**
 * acc[t][r · (K / groupSize) + g] = Σ_{k in group g} codes[r·K + k] · q[t·K + k], exact int32,
 * for `tokens` rows of `q` (row-major tokens × K). Throws INVALID_TERNARY for a code outside {−1, 0, +1}.
 */
export function denseAccumulators(codes: Int8Array, M: number, K: number, q: Int8Array, tokens: number, groupSize: number, tensor?: string): Int32Array[] {
  if (groupSize > MAX_GROUP) fail("LIMIT_EXCEEDED", { tensor, detail: `dense reference: scale groups of ${groupSize} > ${MAX_GROUP} elements` });
  const S = 2 ** Math.ceil(Math.log2(256 * groupSize + 1));
  const groups = K / groupSize;
  const perToken = M * groups;
  const acc = new Int32Array(tokens * perToken);
  const lanes = new Float64Array(2 * K); // lanes[2k + h] = q_{2h}[k] + q_{2h+1}[k]·S of this pass's tokens (0 past the last)
  const token = (t: number, k: number) => (t < tokens ? q[t * K + k]! : 0);
  for (let first = 0; first < tokens; first += TOKENS_PER_PASS) {
    for (let k = 0; k < K; k++) {
      lanes[2 * k] = token(first, k) + token(first + 1, k) * S;
      lanes[2 * k + 1] = token(first + 2, k) + token(first + 3, k) * S;
    }
    const used = Math.min(TOKENS_PER_PASS, tokens - first);
    for (let r = 0; r < M; r++) {
      for (let g = 0; g < groups; g++) {
        const start = r * K + g * groupSize;
        const end = start + groupSize;
        let a = 0;
        let b = 0;
        for (let i = start, j = 2 * g * groupSize; i < end; i++, j += 2) {
          const t = codes[i]!;
          if (t > 1 || t < -1) fail("INVALID_TERNARY", { tensor, detail: `expected code ${t} at row ${r}, column ${i - r * K}` });
          a += t * lanes[j]!;
          b += t * lanes[j + 1]!;
        }
        const at = first * perToken + r * groups + g;
        const aHi = Math.round(a / S);
        const bHi = Math.round(b / S);
        acc[at] = a - aHi * S;
        if (used > 1) acc[at + perToken] = aHi;
        if (used > 2) acc[at + 2 * perToken] = b - bHi * S;
        if (used > 3) acc[at + 3 * perToken] = bHi;
      }
    }
  }
  return Array.from({ length: tokens }, (_, t) => acc.subarray(t * perToken, (t + 1) * perToken));
}
