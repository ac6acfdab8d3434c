/**
 * The built-in CB158 group codebook (CB158-SPEC.md §3): all 3^8 ternary 8-vectors, ordered by
 * (number of non-zeros, v) where v = Σ (c_j + 1)·3^j. Tiers are prefixes of this order.
 */

export const GROUP = 8;
const CODEWORD_COUNT = 3 ** GROUP;

/** P(m): codewords with at most m non-zeros, m = 0…8. */
export const TIER_SIZE: readonly number[] = [1, 17, 129, 577, 1697, 3489, 5281, 6305, 6561];

/** Index width in bits of a tier with cap m: ceil(log2 P(m)). */
export const TIER_WIDTH: readonly number[] = TIER_SIZE.map((p) => Math.ceil(Math.log2(p)));

function nonZeros(v: number): number {
  let nnz = 0;
  for (let j = 0; j < GROUP; j++, v = Math.floor(v / 3)) if (v % 3 !== 1) nnz++;
  return nnz;
}

/** Codeword `index` at entries 8·index … 8·index + 7, each in {−1, 0, +1}. */
function buildCodewords(): Int8Array {
  // A counting sort on nnz over ascending v keeps v ascending within each nnz.
  const byNnz: number[][] = Array.from({ length: GROUP + 1 }, () => []);
  for (let v = 0; v < CODEWORD_COUNT; v++) byNnz[nonZeros(v)]!.push(v);
  const table = new Int8Array(CODEWORD_COUNT * GROUP);
  let index = 0;
  for (const list of byNnz) {
    for (let v of list) {
      for (let j = 0; j < GROUP; j++, v = Math.floor(v / 3)) table[index * GROUP + j] = (v % 3) - 1;
      index++;
    }
  }
  return table;
}

export const CODEWORDS = buildCodewords();
