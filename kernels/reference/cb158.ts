/**
 * CB158 reference kernel, written from formats/layouts/CB158-SPEC.md alone: grouped codebook
 * indices (built-in ternary grid, or a learned table stored in the payload) in four tiers, 4-bit block scale codes under f16 super-block scales, salient
 * columns that overwrite and outliers that add (§4). CB158 has no ternary codes + scale form, so
 * this kernel is not a `Kernel`: it dequantizes, and its GEMV is a float product.
 */
import { fail } from "../../src/core/errors.js";
import type { MatrixShape } from "../types.js";
import { GROUP } from "./cb158-codebook.js";
import { bitsAt } from "./cb158-bytes.js";
import { CB158, CHUNK, openCb158, type Cb158Section, type Cb158Tensor } from "./cb158-open.js";

export type { Cb158Section, Cb158SectionName } from "./cb158-open.js";

/** 8 blocks of 4 groups. */
const GROUPS_PER_SUPER = 32;

export interface Cb158Kernel {
  readonly name: "cb158";
  /** Ŵ, row-major M × K (§4), after validating every field (INVALID_CODE with the byte offset). */
  dequantize(bytes: Uint8Array, shape: MatrixShape): Float32Array;
  /**
   * y = Ŵ·x for one float token x (length K): y[i] = Σ_j Ŵ[i][j]·x[j] summed in float64 in
   * ascending j (each product is exact in float64). Rows are decoded one at a time, so the
   * dequantized matrix is never held.
   */
  gemv(bytes: Uint8Array, shape: MatrixShape, params: undefined, x: Float32Array): Float64Array;
  /** The byte ranges of the payload's sections (§5–§10), after the same validation. */
  sections(bytes: Uint8Array, shape: MatrixShape): Cb158Section[];
}

/** Writes row `i` of Ŵ into `row` (length K); `next` is the first outlier not before the row. */
function decodeRow(bytes: Uint8Array, t: Cb158Tensor, i: number, row: Float32Array, next: number): number {
  const { K } = t;
  const firstGroup = (i * K) / GROUP;
  for (let g = 0; g < K / GROUP; g++) {
    const flat = firstGroup + g;
    const s = Math.floor(flat / GROUPS_PER_SUPER);
    const width = t.superWidths[s]!;
    const index = bitsAt(bytes, t.indexOffset, t.superBits[s]! + (flat - s * GROUPS_PER_SUPER) * width, width);
    const scale = t.blockScales[flat >> 2]!;
    for (let j = 0; j < GROUP; j++) row[g * GROUP + j] = t.codewords[index * GROUP + j]! * scale;
  }
  const R = Math.ceil(t.M / CHUNK);
  const chunk = Math.floor(i / CHUNK);
  for (let r = 0; r < t.columns.length; r++) {
    const nibble = bitsAt(bytes, t.codesOffset, 4 * (r * t.M + i), 4);
    row[t.columns[r]!] = (nibble >= 8 ? nibble - 16 : nibble) * t.columnScales[r * R + chunk]!;
  }
  const end = (i + 1) * K;
  for (; next < t.outliers.length && t.outliers[next]! < end; next++) {
    const col = t.outliers[next]! - i * K;
    row[col] = row[col]! + t.residuals[next]!;
  }
  return next;
}

export const cb158Kernel: Cb158Kernel = {
  name: CB158,
  dequantize(bytes, shape) {
    const t = openCb158(bytes, shape);
    const out = new Float32Array(t.M * t.K);
    for (let i = 0, next = 0; i < t.M; i++) next = decodeRow(bytes, t, i, out.subarray(i * t.K, (i + 1) * t.K), next);
    return out;
  },
  gemv(bytes, shape, _params, x) {
    const t = openCb158(bytes, shape);
    if (x.length !== t.K) fail("SHAPE_MISMATCH", { detail: `${CB158} gemv: x has ${x.length} elements, row length is ${t.K}` });
    const y = new Float64Array(t.M);
    const row = new Float32Array(t.K);
    for (let i = 0, next = 0; i < t.M; i++) {
      next = decodeRow(bytes, t, i, row, next);
      let sum = 0;
      for (let j = 0; j < t.K; j++) sum += row[j]! * x[j]!;
      y[i] = sum;
    }
    return y;
  },
  sections: (bytes, shape) => openCb158(bytes, shape).sections,
};
