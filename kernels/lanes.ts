/**
 * Several tokens through one float64 pass over the weights. A lane holds two tokens' int8
 * activations as v = q_a + q_b·S, with S a power of two > 256·G (G = elements summed into one
 * accumulator). With t ∈ {−1, 0, +1}, every partial sum of terms t·v is an integer of magnitude at
 * most 128·G·(S + 1) ≤ 2^53 for G ≤ 2^18, so float64 adds are exact in any order; and since
 * |Σ t·q_a| ≤ 128·G < S/2, a sum splits back into b = round(sum / S) (= Σ t·q_b) and a = sum − b·S.
 * Two lanes side by side (v[2k], v[2k + 1]) carry four tokens per pass. Above G = 2^18 a lane
 * carries one token (S = 0), two tokens per pass.
 */

/** Largest accumulator length for which two tokens share a lane. */
export const MAX_PAIRED_GROUP = 2 ** 18;

/** S for accumulators of `groupSize` elements, or 0 when a lane must carry a single token. */
export function laneScale(groupSize: number): number {
  return groupSize <= MAX_PAIRED_GROUP ? 2 ** Math.ceil(Math.log2(256 * groupSize + 1)) : 0;
}

/** Tokens one pass carries: two lanes of two tokens, or of one when S = 0. */
export function tokensPerPass(S: number): number {
  return S === 0 ? 2 : 4;
}

/**
 * Fills `lanes` (2K values) with the pass starting at token `first` of `q` (row-major tokens × K):
 * lanes[2k + h] = q_{first+2h}[k] + q_{first+2h+1}[k]·S, or q_{first+h}[k] when S = 0; tokens past
 * the last count as zeros.
 */
export function packLanes(q: Int8Array, tokens: number, K: number, first: number, S: number, lanes: Float64Array): void {
  const per = S === 0 ? 1 : 2;
  for (let h = 0; h < 2; h++) {
    const a = first + h * per;
    const b = a + 1;
    const aOff = a * K;
    const bOff = b * K;
    const hasA = a < tokens;
    const hasB = per === 2 && b < tokens;
    for (let k = 0; k < K; k++) {
      lanes[2 * k + h] = (hasA ? q[aOff + k]! : 0) + (hasB ? q[bOff + k]! * S : 0);
    }
  }
}

/**
 * Splits the pass's lane sums (sums[2i + h], i < n) into the int32 accumulators accs[t][i] of the
 * tokens it carried.
 */
export function splitLanes(sums: Float64Array, S: number, first: number, accs: Int32Array[]): void {
  const n = sums.length / 2;
  const per = S === 0 ? 1 : 2;
  for (let h = 0; h < 2; h++) {
    const a = accs[first + h * per];
    if (!a) return;
    const b = per === 2 ? accs[first + h * per + 1] : undefined;
    if (per === 1) {
      for (let i = 0; i < n; i++) a[i] = sums[2 * i + h]!;
      continue;
    }
    for (let i = 0; i < n; i++) {
      const sum = sums[2 * i + h]!;
      const hi = Math.round(sum / S);
      a[i] = sum - hi * S;
      if (b) b[i] = hi;
    }
  }
}
