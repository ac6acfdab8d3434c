/**
 * torch's single-thread CPU float32 sum, reproduced bit for bit (the order described in the golden
 * README, section "absmean"): the run is cut into 8-lane vectors, vectors are grouped four to a
 * row, rows go through a four-level cascade of running sums, then the parts are folded in a fixed
 * order. Every addition is a float32 addition; the accumulators live in a Float32Array, so each
 * store rounds to float32 (a double sum of two floats rounded once equals the float32 sum).
 *
 * Only the single-thread order is modelled: with several threads torch sums tensors of more than
 * 32,768 elements in per-thread chunks, and its result then depends on the thread count.
 */
import { halfAbsCascade } from "../simd/half-cascade.js";
import { asRun, type FloatRun } from "./float-run.js";

const LANES = 8; // float32 lanes of one vector
const ROW_ITEMS = 4; // items (scalars or vectors) per cascade row
const LEVELS = 4;

/** Cascade accumulators: LEVELS levels of one row (up to ROW_ITEMS * LANES floats) each. */
const levels = new Float32Array(LEVELS * ROW_ITEMS * LANES);
const laneSums = new Float32Array(LANES);

function ceilLog2(q: number): number {
  let bits = 0;
  while (2 ** bits < q) bits++;
  return bits;
}

/**
 * Adds rows `[from, to)` of width `width` starting at element `base` into level 0, lane by lane
 * (each lane's additions in row order, as torch makes them). `abs` sums magnitudes (torch's
 * `W.abs().sum()` without materialising `|W|`).
 */
function addRows(run: FloatRun, base: number, width: number, from: number, to: number, abs: boolean): void {
  const rows = to - from;
  if (rows <= 0) return;
  const x = run.window(base + from * width, rows * width);
  let a = 0;
  // Four rows per visit of a lane: the lane's four float32 additions in order, one load and store.
  for (let r = 0; r + 3 < rows; r += 4, a += 4 * width) {
    const b = a + width, c = b + width, d = c + width;
    if (abs) {
      for (let j = 0; j < width; j++) {
        levels[j] = Math.fround(Math.fround(Math.fround(levels[j]! + Math.abs(x[a + j]!)) + Math.abs(x[b + j]!)) + Math.abs(x[c + j]!)) + Math.abs(x[d + j]!);
      }
    } else {
      for (let j = 0; j < width; j++) levels[j] = Math.fround(Math.fround(Math.fround(levels[j]! + x[a + j]!) + x[b + j]!) + x[c + j]!) + x[d + j]!;
    }
  }
  for (; a < rows * width; a += width) {
    if (abs) for (let j = 0; j < width; j++) levels[j] = levels[j]! + Math.abs(x[a + j]!);
    else for (let j = 0; j < width; j++) levels[j] = levels[j]! + x[a + j]!;
  }
}

/** Moves level `l - 1` into level `l` (each lane added, the lower level cleared). */
function carry(l: number, width: number): void {
  const hi = l * width;
  const lo = hi - width;
  for (let j = 0; j < width; j++) {
    levels[hi + j] = levels[hi + j]! + levels[lo + j]!;
    levels[lo + j] = 0;
  }
}

/** torch's `multi_row_sum`: q rows of `width` floats into four levels, folded into level 0. */
function cascade(x: FloatRun, base: number, q: number, width: number, abs: boolean): void {
  const p = Math.max(4, ceilLog2(q) >> 2);
  // magnitudes of 16-bit weights in 8-lane vectors, the sum absmean makes: the SIMD loop
  if (abs && width === ROW_ITEMS * LANES && x.halves) halfAbsCascade(x.halves.bytes, x.halves.kind, base, q, p, levels);
  else cascadeRows(x, base, q, width, abs, p);
  for (let l = 1; l < LEVELS; l++) {
    const hi = l * width;
    for (let j = 0; j < width; j++) levels[j] = levels[j]! + levels[hi + j]!;
  }
}

/** The cascade's rows with its carries (levels left unfolded), as torch runs them. */
function cascadeRows(x: FloatRun, base: number, q: number, width: number, abs: boolean, p: number): void {
  levels.fill(0, 0, LEVELS * width);
  const step = 2 ** p;
  const mask = step - 1;
  let i = 0;
  while (i + step <= q) {
    addRows(x, base, width, i, i + step, abs);
    i += step;
    for (let l = 1; l < LEVELS; l++) {
      carry(l, width);
      if ((i & (mask << (l * p))) !== 0) break;
    }
  }
  addRows(x, base, width, i, q, abs);
}

/**
 * torch's `row_sum` over `m` items of `lanes` floats each (lanes = 1: scalars, 8: vectors), the
 * items stored back to back from `base`. Writes one float32 per lane into `laneSums`.
 */
function rowSum(x: FloatRun, base: number, m: number, lanes: number, abs: boolean): void {
  const q = Math.floor(m / ROW_ITEMS);
  const width = ROW_ITEMS * lanes;
  cascade(x, base, q, width, abs);
  addRows(x, base, lanes, ROW_ITEMS * q, m, abs); // leftover items go into the first partial sum
  for (let lane = 0; lane < lanes; lane++) {
    let s = Math.fround(levels[lane]! + levels[lanes + lane]!);
    s = Math.fround(s + levels[2 * lanes + lane]!);
    laneSums[lane] = s + levels[3 * lanes + lane]!;
  }
}

/**
 * float32 sum of `x[start .. start + length)` in torch's single-thread CPU order
 * (`abs`: of the magnitudes). Bit-identical to `torch.sum` on a contiguous float32 run.
 */
export function torchSumF32(values: Float32Array | FloatRun, start = 0, length = values.length - start, abs = false): number {
  const x = asRun(values);
  if (length < LANES) {
    rowSum(x, start, length, 1, abs);
    return laneSums[0]!;
  }
  const vectors = Math.floor(length / LANES);
  rowSum(x, start, vectors, LANES, abs);
  let s = 0;
  const rest = length - vectors * LANES;
  const tail = rest > 0 ? x.window(start + vectors * LANES, rest) : undefined;
  for (let k = 0; k < rest; k++) s = Math.fround(s + (abs ? Math.abs(tail![k]!) : tail![k]!));
  for (let lane = 0; lane < LANES; lane++) s = Math.fround(s + laneSums[lane]!);
  return s;
}

/** torch's float32 `mean` of a contiguous run: the torch-order sum divided by float32(length). */
export function torchMeanF32(x: Float32Array | FloatRun, start = 0, length = x.length - start, abs = false): number {
  return Math.fround(torchSumF32(x, start, length, abs) / Math.fround(length));
}
