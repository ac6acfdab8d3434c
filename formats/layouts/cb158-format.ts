/**
 * CB158 container-independent tensor layout (CB158-SPEC.md): the structured form the quantizer
 * produces, the exact byte budget of a tensor and the byte size of every section.
 */
import { fail } from "../../src/core/errors.js";
import { requireValidShape } from "./blocks.js";
import { GROUP } from "./cb158-grid.js";
import { codebookView, learnedTableBytes, type LearnedCodebook } from "./cb158-table.js";

export const CB158_VERSION = 1;
export const HEADER_BYTES = 10;
export const BLOCK = 32;
export const BLOCKS_PER_SUPER = 8;
export const TIERS = 4;
/** Highest tier-0 non-zero cap (tier 3 then allows all 8). */
export const MAX_CAP0 = 5;
/** Rows per salient-column scale. */
export const SALIENT_CHUNK = 32;
export const DEFAULT_BPW = 1.58;

/** A quantized [M, K] tensor, field for field what the bytes hold. */
export interface Cb158Tensor {
  shape: readonly [number, number];
  /** Total packed size in bytes (the budget; the tail is zero padding). */
  totalBytes: number;
  /** Grid tensors: non-zero cap of tier 0; tier t allows cap0 + t non-zeros per group. */
  cap0: number;
  /** A learned table (payload version 2) instead of the grid; `cap0` is then unused. */
  codebook?: LearnedCodebook;
  /** Tier id 0…3 per super-block (8 consecutive blocks of 32 in row-major order). */
  tiers: Uint8Array;
  /** f16 bits of each super-block scale d. */
  superScales: Uint16Array;
  /** 4-bit log-scale code k per block of 32: s = d·2^(−k/2). */
  blockCodes: Uint8Array;
  /** Codebook index per group of 8 (row-major). */
  indices: Uint16Array;
  /** Salient input columns, strictly ascending. */
  salientColumns: Uint32Array;
  /** f16 bits, per salient column then per chunk of 32 rows. */
  salientScales: Uint16Array;
  /** Values −7…7, per salient column then per row. */
  salientCodes: Int8Array;
  /** Flat row-major indices of sparse outliers, strictly ascending. */
  outlierIndex: Uint32Array;
  /** f16 bits of each outlier's residual (added to the base value). */
  outlierValues: Uint16Array;
}

export interface Cb158Geometry {
  rows: number;
  cols: number;
  blocks: number;
  groups: number;
  superBlocks: number;
}

/** Validates `[M, K]` (K a multiple of 32, K ≤ 2^32) and derives the block counts. */
export function cb158Geometry(shape: readonly number[]): Cb158Geometry {
  requireValidShape("CB158", shape);
  if (shape.length !== 2 || shape[0]! === 0 || shape[1]! % BLOCK !== 0 || shape[1]! === 0) {
    fail("LAYOUT_UNSUPPORTED_SHAPE", {
      detail: `CB158 needs a non-empty 2-D [rows, cols] tensor with cols a multiple of ${BLOCK}; got [${shape.join(", ")}]. Store it as f16 instead.`,
    });
  }
  const rows = shape[0]!;
  const cols = shape[1]!;
  const blocks = (rows * cols) / BLOCK;
  return { rows, cols, blocks, groups: (rows * cols) / GROUP, superBlocks: Math.ceil(blocks / BLOCKS_PER_SUPER) };
}

/** Target bits per weight → the exact byte size: floor(round(1000·bpw) · M·K / 8000). */
export function cb158BudgetBytes(shape: readonly number[], bpw = DEFAULT_BPW): number {
  const { rows, cols } = cb158Geometry(shape);
  const milli = Math.round(bpw * 1000);
  if (!(milli > 0)) fail("USAGE", { detail: `CB158 target bits per weight must be positive, got ${bpw}` });
  return Math.floor((milli * rows * cols) / 8000);
}

/** Groups in super-block `sb` (the last one may hold fewer than 8 blocks). */
export function groupsIn(geometry: Cb158Geometry, sb: number): number {
  const blocks = Math.min(BLOCKS_PER_SUPER, geometry.blocks - sb * BLOCKS_PER_SUPER);
  return (blocks * BLOCK) / GROUP;
}

export function salientColumnBytes(cols: number): number {
  return cols <= 65536 ? 2 : 4;
}

/**
 * Bytes of every section except the group indices, given the salient and outlier counts and the
 * bytes of a learned table (0 for the grid).
 */
export function fixedSectionBytes(geometry: Cb158Geometry, salient: number, outliers: number, table = 0): number {
  const { rows, cols, blocks, superBlocks } = geometry;
  return (
    HEADER_BYTES +
    table +
    Math.ceil(superBlocks / 4) +
    2 * superBlocks +
    Math.ceil(blocks / 2) +
    salient * (salientColumnBytes(cols) + 2 * Math.ceil(rows / SALIENT_CHUNK)) +
    Math.ceil((salient * rows) / 2) +
    6 * outliers
  );
}

/** Bits of the group-index stream for a tier choice, given each tier's index width. */
export function indexBits(geometry: Cb158Geometry, widths: readonly number[], tiers: Uint8Array): number {
  let bits = 0;
  for (let sb = 0; sb < geometry.superBlocks; sb++) bits += groupsIn(geometry, sb) * widths[tiers[sb]!]!;
  return bits;
}

/** Bytes of a tensor's learned table (0 for the grid). */
export function tableBytesOf(t: Cb158Tensor): number {
  return t.codebook ? learnedTableBytes(t.codebook.width0, t.codebook.levels) : 0;
}

/** Bytes actually used (everything but the zero padding). */
export function usedBytes(t: Cb158Tensor): number {
  const geometry = cb158Geometry(t.shape);
  const fixed = fixedSectionBytes(geometry, t.salientColumns.length, t.outlierIndex.length, tableBytesOf(t));
  return fixed + Math.ceil(indexBits(geometry, codebookView(t).widths, t.tiers) / 8);
}
