/**
 * Reads and validates a CB158 payload (CB158-SPEC.md §5–§10): every field a writer never produces
 * raises INVALID_CODE with the payload byte offset of the offending field. A section that would run
 * past the payload end is reported at the section's first byte (the counts or tiers before it are
 * then wrong, or the payload is cut short).
 */
import { fail } from "../../src/core/errors.js";
import { f16BitsToF32, f32FromBits } from "../../src/core/half.js";
import { invalidCode, matrixDims, requireShape, type Dims } from "../checks.js";
import type { MatrixShape } from "../types.js";
import { bitsAt, hasSignBit, isFiniteHalf, streamBytes, u16At, u32At } from "./cb158-bytes.js";
import { readCodebook } from "./cb158-table.js";

export const CB158 = "cb158";
const HEADER_BYTES = 10;
const BLOCK = 32;
const BLOCKS_PER_SUPER = 8;
/** Rows per salient-column scale. */
export const CHUNK = 32;

/** Bytes per salient column number (§8). */
const columnBytes = (K: number) => (K <= 65536 ? 2 : 4);

/** POW[k] = float32(2^(−k/2)), by the bit patterns of §4. */
const POW = [
  0x3f800000, 0x3f3504f3, 0x3f000000, 0x3eb504f3, 0x3e800000, 0x3e3504f3, 0x3e000000, 0x3db504f3,
  0x3d800000, 0x3d3504f3, 0x3d000000, 0x3cb504f3, 0x3c800000, 0x3c3504f3, 0x3c000000, 0x3bb504f3,
].map(f32FromBits);

export type Cb158SectionName =
  | "header" | "learned table" | "tier ids" | "super-block scales" | "block scale codes" | "group indices"
  | "salient columns" | "salient scales" | "salient codes" | "outlier indices" | "outlier residuals" | "padding";

/** A section's bytes [start, end) in the payload (empty sections included). */
export interface Cb158Section {
  name: Cb158SectionName;
  start: number;
  end: number;
}

/** Everything a decoder needs, parsed from a validated payload. */
export interface Cb158Tensor extends Dims {
  /** The payload's sections in byte order, covering it exactly. */
  sections: Cb158Section[];
  /** scale_b = float32(d · POW[k_b]) per block. */
  blockScales: Float32Array;
  /** Byte offset of the group-index stream. */
  indexOffset: number;
  /** Codeword k at codewords[8k … 8k+7]: the grid (version 1) or the learned table (version 2). */
  codewords: ArrayLike<number>;
  /** Per super-block: first bit of its groups in the index stream (S + 1 entries), and its index width. */
  superBits: Float64Array;
  superWidths: Uint8Array;
  /** Per super-block: the number of valid indices of its tier. */
  superSizes: Uint32Array;
  /** Salient column numbers (ascending), their chunk scales (column-major, R per column). */
  columns: Uint32Array;
  columnScales: Float32Array;
  /** Byte offset of the 4-bit salient code stream (column by column, row by row). */
  codesOffset: number;
  /** Outlier flat indices (ascending) and f32 residuals. */
  outliers: Uint32Array;
  residuals: Float32Array;
}

/** INVALID_CODE unless the fill bits after `bits` bits of the stream at `start` are zero. */
function requireZeroFill(bytes: Uint8Array, start: number, bits: number, what: string): void {
  const last = start + Math.floor(bits / 8);
  if (bits % 8 !== 0 && bytes[last]! >>> bits % 8 !== 0) invalidCode(CB158, last, `non-zero fill bits after the ${what}`);
}

function requireFits(bytes: Uint8Array, start: number, size: number, what: string): void {
  if (start + size > bytes.length) invalidCode(CB158, start, `${what} (${size} bytes) run past the payload end (${bytes.length} bytes)`);
}

/** An f16 at `offset`: finite, and (unless `signed`) with the sign bit clear. */
function half(bytes: Uint8Array, offset: number, what: string, signed = false): number {
  const h = u16At(bytes, offset);
  if (!isFiniteHalf(h)) invalidCode(CB158, offset, `non-finite ${what} 0x${h.toString(16)}`);
  if (!signed && hasSignBit(h)) invalidCode(CB158, offset, `${what} 0x${h.toString(16)} has the sign bit set`);
  return f16BitsToF32(h);
}

/** §6: tier ids, super-block scales and block scale codes, to per-block scales and index widths. */
function readScales(bytes: Uint8Array, B: number, S: number, tierOffset: number, widths: number[], sizes: number[]) {
  const superBits = new Float64Array(S + 1);
  const superWidths = new Uint8Array(S);
  const superSizes = new Uint32Array(S);
  for (let s = 0; s < S; s++) {
    const tier = bitsAt(bytes, tierOffset, 2 * s, 2);
    if (sizes[tier] === 0) invalidCode(CB158, tierOffset + (s >> 2), `tier id ${tier} is not in use (learned table with fewer tiers)`);
    superWidths[s] = widths[tier]!;
    superSizes[s] = sizes[tier]!;
    const groups = 4 * Math.min(BLOCKS_PER_SUPER, B - BLOCKS_PER_SUPER * s);
    superBits[s + 1] = superBits[s]! + groups * superWidths[s]!;
  }
  requireZeroFill(bytes, tierOffset, 2 * S, "tier ids");
  let at = tierOffset + streamBytes(2 * S);
  const superScales = new Float32Array(S);
  for (let s = 0; s < S; s++, at += 2) superScales[s] = half(bytes, at, "super-block scale");
  const blockScales = new Float32Array(B);
  for (let b = 0; b < B; b++) blockScales[b] = superScales[Math.floor(b / BLOCKS_PER_SUPER)]! * POW[bitsAt(bytes, at, 4 * b, 4)]!;
  requireZeroFill(bytes, at, 4 * B, "block scale codes");
  return { blockScales, superBits, superWidths, superSizes, indexOffset: at + streamBytes(4 * B) };
}

/** §7: every group index below its tier's size, zero fill; returns the end of the stream. */
function checkIndices(bytes: Uint8Array, start: number, superBits: Float64Array, superWidths: Uint8Array, superSizes: Uint32Array): number {
  const S = superWidths.length;
  const size = streamBytes(superBits[S]!);
  requireFits(bytes, start, size, "group indices");
  for (let s = 0; s < S; s++) {
    const width = superWidths[s]!;
    const limit = superSizes[s]!;
    if (limit === 2 ** width) continue; // every field value is a valid index
    for (let bit = superBits[s]!; bit < superBits[s + 1]!; bit += width) {
      const index = bitsAt(bytes, start, bit, width);
      if (index >= limit) invalidCode(CB158, start + Math.floor(bit / 8), `group index ${index} ≥ P(m) = ${limit}`);
    }
  }
  requireZeroFill(bytes, start, superBits[S]!, "group indices");
  return start + size;
}

/** §8: salient columns (strictly ascending, < K), their chunk scales and 4-bit codes (never −8). */
function readSalient(bytes: Uint8Array, start: number, t: Dims, Ns: number) {
  const R = Math.ceil(t.M / CHUNK);
  const cw = columnBytes(t.K);
  const size = Ns * (cw + 2 * R) + streamBytes(4 * Ns * t.M);
  requireFits(bytes, start, size, "salient columns");
  const columns = new Uint32Array(Ns);
  let at = start;
  for (let r = 0; r < Ns; r++, at += cw) {
    const col = cw === 2 ? u16At(bytes, at) : u32At(bytes, at);
    if (col >= t.K) invalidCode(CB158, at, `salient column ${col} ≥ K = ${t.K}`);
    if (r > 0 && col <= columns[r - 1]!) invalidCode(CB158, at, `salient column ${col} not above the previous ${columns[r - 1]}`);
    columns[r] = col;
  }
  const columnScales = new Float32Array(Ns * R);
  for (let i = 0; i < columnScales.length; i++, at += 2) columnScales[i] = half(bytes, at, "salient column scale");
  const codesOffset = at;
  for (let i = 0; i < Ns * t.M; i++) {
    if (bitsAt(bytes, codesOffset, 4 * i, 4) === 8) invalidCode(CB158, codesOffset + (i >> 1), "salient code −8");
  }
  requireZeroFill(bytes, codesOffset, 4 * Ns * t.M, "salient codes");
  return { columns, columnScales, codesOffset, end: start + size };
}

/** §9: outlier indices (strictly ascending, < n, outside salient columns) and finite residuals. */
function readOutliers(bytes: Uint8Array, start: number, t: Dims, No: number, columns: Uint32Array) {
  requireFits(bytes, start, 6 * No, "outliers");
  const salient = new Uint8Array(t.K);
  for (const col of columns) salient[col] = 1;
  const n = t.M * t.K;
  const outliers = new Uint32Array(No);
  for (let o = 0; o < No; o++) {
    const at = start + 4 * o;
    const x = u32At(bytes, at);
    if (x >= n) invalidCode(CB158, at, `outlier index ${x} ≥ n = ${n}`);
    if (o > 0 && x <= outliers[o - 1]!) invalidCode(CB158, at, `outlier index ${x} not above the previous ${outliers[o - 1]}`);
    if (salient[x % t.K]) invalidCode(CB158, at, `outlier index ${x} lies in salient column ${x % t.K}`);
    outliers[o] = x;
  }
  const residuals = new Float32Array(No);
  for (let o = 0; o < No; o++) residuals[o] = half(bytes, start + 4 * No + 2 * o, "outlier residual", true);
  return { outliers, residuals, end: start + 6 * No };
}

/** Validates the whole payload (its length is totalBytes) and parses it for decoding. */
export function openCb158(bytes: Uint8Array, shape: MatrixShape): Cb158Tensor {
  const t = matrixDims(shape, CB158);
  requireShape(t.K >= 32 && t.K % 32 === 0, CB158, t, "K must be a multiple of 32 (at least 32)");
  const B = (t.M * t.K) / BLOCK;
  const S = Math.ceil(B / BLOCKS_PER_SUPER);
  const fixed = HEADER_BYTES + streamBytes(2 * S) + 2 * S + streamBytes(4 * B);
  if (bytes.length < fixed) {
    fail("SHAPE_MISMATCH", { detail: `${CB158} [${t.M}, ${t.K}] payload must hold at least ${fixed} bytes, got ${bytes.length}` });
  }
  const book = readCodebook(bytes);
  const Ns = u32At(bytes, 2);
  if (Ns > t.K) invalidCode(CB158, 2, `${Ns} salient columns > K = ${t.K}`);
  const No = u32At(bytes, 6);
  if (No > t.M * t.K) invalidCode(CB158, 6, `${No} outliers > n = ${t.M * t.K}`);
  const tierOffset = book.tableEnd;
  requireFits(bytes, tierOffset, streamBytes(2 * S) + 2 * S + streamBytes(4 * B), "tier ids, super-block scales and block scale codes");
  const scales = readScales(bytes, B, S, tierOffset, book.widths, book.sizes);
  const indexEnd = checkIndices(bytes, scales.indexOffset, scales.superBits, scales.superWidths, scales.superSizes);
  const salient = readSalient(bytes, indexEnd, t, Ns);
  const outliers = readOutliers(bytes, salient.end, t, No, salient.columns);
  for (let at = outliers.end; at < bytes.length; at++) if (bytes[at] !== 0) invalidCode(CB158, at, "non-zero padding byte");
  const ends: [Cb158SectionName, number][] = [
    ["header", book.headerEnd],
    ...(book.version === 2 ? ([["learned table", tierOffset]] as [Cb158SectionName, number][]) : []),
    ["tier ids", tierOffset + streamBytes(2 * S)],
    ["super-block scales", tierOffset + streamBytes(2 * S) + 2 * S],
    ["block scale codes", scales.indexOffset],
    ["group indices", indexEnd],
    ["salient columns", indexEnd + Ns * columnBytes(t.K)],
    ["salient scales", salient.codesOffset],
    ["salient codes", salient.end],
    ["outlier indices", salient.end + 4 * No],
    ["outlier residuals", outliers.end],
    ["padding", bytes.length],
  ];
  const sections = ends.map(([name, end], i) => ({ name, start: i === 0 ? 0 : ends[i - 1]![1], end }));
  const { blockScales, superBits, superWidths, superSizes, indexOffset } = scales;
  const { columns, columnScales, codesOffset } = salient;
  const codewords = book.values;
  return { ...t, sections, blockScales, codewords, superBits, superWidths, superSizes, indexOffset, columns, columnScales, codesOffset, outliers: outliers.outliers, residuals: outliers.residuals };
}
