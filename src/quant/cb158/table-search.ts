/**
 * Nearest codeword of a table under an ω-weighted distance Σ ω_j (u_j − e_j)². Tables up to 64
 * entries are scanned whole (exact); larger ones use cb158.md §4's two-level search: the entries
 * are clustered into ≈ √L cells (a few k-means rounds on the entries, seeded with evenly spaced
 * entries), a query ranks the cell centres by the same weighted distance and scans only the
 * entries of the best PROBES cells. Approximate, deterministic; ties go to the lower index.
 */
import { GROUP } from "../../../formats/layouts/cb158-grid.js";

const EXACT_LIMIT = 64;
const PROBES = 2;
const CELL_ROUNDS = 4;

/** Σ ω_j (u_j − v_j)² of the query q (u at 0…7, ω at 8…15) and table[a … a+8): the hot loop, unrolled. */
function distance8(q: Float64Array, t: Float64Array, a: number): number {
  const d0 = q[0]! - t[a]!, d1 = q[1]! - t[a + 1]!, d2 = q[2]! - t[a + 2]!, d3 = q[3]! - t[a + 3]!;
  const d4 = q[4]! - t[a + 4]!, d5 = q[5]! - t[a + 5]!, d6 = q[6]! - t[a + 6]!, d7 = q[7]! - t[a + 7]!;
  return q[8]! * d0 * d0 + q[9]! * d1 * d1 + q[10]! * d2 * d2 + q[11]! * d3 * d3 + q[12]! * d4 * d4 + q[13]! * d5 * d5 + q[14]! * d6 * d6 + q[15]! * d7 * d7;
}

export class TableSearch {
  /** Weighted squared distance of the last `nearest` result. */
  error = 0;
  private readonly entries: Float64Array;
  private readonly cells: number;
  private readonly centres: Float64Array;
  /** Entry numbers grouped by cell (ascending within a cell); cell c owns members[start[c] … start[c+1]). */
  private readonly start: Int32Array;
  private readonly members: Int32Array;
  private readonly cellError = new Float64Array(PROBES);
  private readonly cellBest = new Int32Array(PROBES);
  /** The current query: u at 0…7, its weights at 8…15. */
  private readonly query = new Float64Array(2 * GROUP);
  private readonly best = { row: -1, error: Infinity };

  constructor(entries: ArrayLike<number>, readonly size: number) {
    this.entries = Float64Array.from({ length: size * GROUP }, (_, i) => entries[i]!);
    this.cells = size <= EXACT_LIMIT ? 1 : Math.round(Math.sqrt(size));
    this.centres = new Float64Array(this.cells * GROUP);
    const cellOf = new Int32Array(size);
    if (this.cells > 1) this.cluster(cellOf);
    this.start = new Int32Array(this.cells + 1);
    for (let k = 0; k < size; k++) this.start[cellOf[k]! + 1]!++;
    for (let c = 0; c < this.cells; c++) this.start[c + 1]! += this.start[c]!;
    this.members = new Int32Array(size);
    const fill = this.start.slice(0, this.cells);
    for (let k = 0; k < size; k++) this.members[fill[cellOf[k]!]!++] = k;
  }

  /** k-means of the entries (unweighted) into `cells` centres; writes each entry's cell. */
  private cluster(cellOf: Int32Array): void {
    const { entries, centres, cells, size } = this;
    for (let c = 0; c < cells; c++) centres.set(entries.subarray(Math.floor((c * size) / cells) * GROUP, Math.floor((c * size) / cells) * GROUP + GROUP), c * GROUP);
    const sums = new Float64Array(cells * GROUP);
    const counts = new Int32Array(cells);
    for (let round = 0; round < CELL_ROUNDS; round++) {
      sums.fill(0);
      counts.fill(0);
      for (let k = 0; k < size; k++) {
        let best = 0;
        let bestError = Infinity;
        for (let c = 0; c < cells; c++) {
          let e = 0;
          for (let j = 0; j < GROUP; j++) {
            const d = entries[k * GROUP + j]! - centres[c * GROUP + j]!;
            e += d * d;
          }
          if (e < bestError) {
            bestError = e;
            best = c;
          }
        }
        cellOf[k] = best;
        counts[best]!++;
        for (let j = 0; j < GROUP; j++) sums[best * GROUP + j]! += entries[k * GROUP + j]!;
      }
      if (round === CELL_ROUNDS - 1) break;
      for (let c = 0; c < cells; c++) {
        if (counts[c]! > 0) for (let j = 0; j < GROUP; j++) centres[c * GROUP + j] = sums[c * GROUP + j]! / counts[c]!;
      }
    }
  }

  /** The best of rows rows[m] (m in [first, end)), or of rows first…end−1 without `rows`, folded into `best`. */
  private scan(table: Float64Array, rows: Int32Array | null, first: number, end: number): void {
    const q = this.query;
    const best = this.best;
    let bestRow = best.row;
    let bestError = best.error;
    for (let m = first; m < end; m++) {
      const k = rows === null ? m : rows[m]!;
      const e = distance8(q, table, k << 3);
      if (e < bestError || (e === bestError && k < bestRow)) {
        bestError = e;
        bestRow = k;
      }
    }
    best.row = bestRow;
    best.error = bestError;
  }

  /** The entry nearest to u[uAt…+8) under weights w[wAt…+8); its distance goes to `error`. */
  nearest(u: Float64Array, uAt: number, w: Float64Array, wAt: number): number {
    for (let j = 0; j < GROUP; j++) {
      this.query[j] = u[uAt + j]!;
      this.query[GROUP + j] = w[wAt + j]!;
    }
    const best = this.best;
    best.row = -1;
    best.error = Infinity;
    if (this.cells === 1) {
      this.scan(this.entries, null, 0, this.size);
    } else {
      // Rank the centres one at a time, keeping the PROBES best (ascending error).
      const probes = Math.min(PROBES, this.cells);
      const cellError = this.cellError.fill(Infinity);
      for (let c = 0; c < this.cells; c++) {
        const e = distance8(this.query, this.centres, c << 3);
        if (!(e < cellError[probes - 1]!)) continue;
        let p = probes - 1;
        while (p > 0 && cellError[p - 1]! > e) {
          cellError[p] = cellError[p - 1]!;
          this.cellBest[p] = this.cellBest[p - 1]!;
          p--;
        }
        cellError[p] = e;
        this.cellBest[p] = c;
      }
      for (let p = 0; p < probes; p++) {
        const c = this.cellBest[p]!;
        if (cellError[p]! < Infinity) this.scan(this.entries, this.members, this.start[c]!, this.start[c + 1]!);
      }
    }
    this.error = best.error;
    return best.row;
  }
}
