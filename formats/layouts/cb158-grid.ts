/**
 * The CB158 group codebook (CB158-SPEC.md §3): every ternary 8-vector c ∈ {−1, 0, +1}^8, ordered by
 * (number of non-zeros, v) with v = Σ (c_j + 1)·3^j. A tier with non-zero cap m uses the prefix of the
 * vectors with at most m non-zeros, so tiers are nested and the best code under a cap is found exactly
 * by keeping the m largest per-weight gains (no table scan). Built once, never stored in a tensor.
 */

export const GROUP = 8;
/** 3^8 ternary 8-vectors. */
export const GRID_SIZE = 6561;

/** Number of codewords with at most m non-zeros, m = 0…8. */
export const GRID_PREFIX: readonly number[] = (() => {
  const out: number[] = [];
  let sum = 0;
  let choose = 1; // C(8, m)
  for (let m = 0; m <= GROUP; m++) {
    sum += choose * 2 ** m;
    out.push(sum);
    choose = (choose * (GROUP - m)) / (m + 1);
  }
  return out;
})();

/** Index width in bits of a tier whose codewords have at most `cap` non-zeros. */
export function indexWidth(cap: number): number {
  return Math.ceil(Math.log2(GRID_PREFIX[cap]!));
}

interface GridTables {
  /** Codeword i as 8 int8 entries (row-major, i·8 + j). */
  codes: Int8Array;
  /** Rank of the vector with base-3 value v (inverse of the ordering). */
  rank: Uint16Array;
}

let tables: GridTables | undefined;

export function gridTables(): GridTables {
  if (tables) return tables;
  const nnz = new Uint8Array(GRID_SIZE);
  for (let v = 0; v < GRID_SIZE; v++) {
    let count = 0;
    for (let j = 0, x = v; j < GROUP; j++, x = (x / 3) | 0) if (x % 3 !== 1) count++;
    nnz[v] = count;
  }
  const order = Array.from({ length: GRID_SIZE }, (_, v) => v).sort((a, b) => nnz[a]! - nnz[b]! || a - b);
  const codes = new Int8Array(GRID_SIZE * GROUP);
  const rank = new Uint16Array(GRID_SIZE);
  order.forEach((v, i) => {
    rank[v] = i;
    for (let j = 0, x = v; j < GROUP; j++, x = (x / 3) | 0) codes[i * GROUP + j] = (x % 3) - 1;
  });
  tables = { codes, rank };
  return tables;
}
