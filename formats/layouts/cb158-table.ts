/**
 * The learned CB158 codebook (CB158-SPEC.md §3.2, payload version 2): a per-tensor table of
 * 2^(w0+T−1) codewords of 8 int8 entries under one f16 step τ (entry value q·τ, exact in float32),
 * nested so that tier t uses the first 2^(w0+t) entries with w0 + t index bits. Stored in the
 * tensor and counted in its byte budget.
 */
import { f16BitsToF32 } from "../../src/core/half.js";
import { GROUP, gridTables, indexWidth } from "./cb158-grid.js";

/** Payload version of a tensor with a learned table (version 1 = the built-in grid). */
export const LEARNED_VERSION = 2;
/** The v1 header plus one byte: the number of learned tiers T. */
export const LEARNED_HEADER_BYTES = 11;
/** Widest learned index (4096 entries). */
export const MAX_TABLE_WIDTH = 12;

export interface LearnedCodebook {
  /** Index width of tier 0; tier t has width0 + t bits. */
  width0: number;
  /** Tiers in use, 1…4; the table holds 2^(width0 + levels − 1) entries. */
  levels: number;
  /** f16 bits of the entry step τ (finite, positive). */
  step: number;
  /** Entry j of codeword k at k·8 + j; value q·τ. */
  entries: Int8Array;
}

export function tableEntries(width0: number, levels: number): number {
  return 2 ** (width0 + levels - 1);
}

/** Bytes a learned table adds to the v1 layout: the T byte, τ and the entries. */
export function learnedTableBytes(width0: number, levels: number): number {
  return LEARNED_HEADER_BYTES - 10 + 2 + GROUP * tableEntries(width0, levels);
}

/** Codeword values q·τ (exact in float32). */
export function learnedValues(c: LearnedCodebook): Float32Array {
  const step = f16BitsToF32(c.step);
  return Float32Array.from(c.entries, (q) => q * step);
}

/** What a tensor's group indices point into: the grid or its learned table, and each tier's index width. */
export interface CodebookView {
  values: ArrayLike<number>;
  widths: number[];
}

export function codebookView(t: { cap0: number; codebook?: LearnedCodebook }): CodebookView {
  if (!t.codebook) return { values: gridTables().codes, widths: [0, 1, 2, 3].map((tier) => indexWidth(t.cap0 + tier)) };
  const { width0 } = t.codebook;
  return { values: learnedValues(t.codebook), widths: [0, 1, 2, 3].map((tier) => width0 + tier) };
}
