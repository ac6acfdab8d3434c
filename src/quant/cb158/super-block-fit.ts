/**
 * Fits every super-block of a tensor at one tier (a non-zero cap): codes ↔ least-squares block
 * scales, alternated; then the block scales are quantized to the stored f16 d and 4-bit log codes
 * and the codes searched again with the quantized scales (optimise what is stored, cb158.md §4).
 */
import { f16BitsToF32, f32ToF16Bits } from "../../core/half.js";
import { BLOCK_SCALE_POW } from "../../../formats/layouts/cb158-bits.js";
import { BLOCK, BLOCKS_PER_SUPER, type Cb158Geometry } from "../../../formats/layouts/cb158-format.js";
import { GROUP } from "../../../formats/layouts/cb158-grid.js";
import { searchGroup, type GroupCode } from "./group-code.js";

/** Rounds of code search + scale refit before the scales are quantized. */
const ALTERNATION_ROUNDS = 2;
const GROUPS_PER_BLOCK = BLOCK / GROUP;
const F16_MAX = 65504;

export interface TierFit {
  indices: Uint16Array;
  blockCodes: Uint8Array;
  superScales: Uint16Array;
  /** ω-weighted squared error per super-block. */
  distortion: Float64Array;
  /** Blocks whose scale wanted a code beyond 15 (clipped). */
  clippedBlocks: number;
}

const code: GroupCode = { index: 0, wc: 0, cc: 0, error: 0 };
const blockScale = new Float64Array(BLOCKS_PER_SUPER);

/** Least-squares scale of one block after alternating with the code search. */
function fitBlockScale(w: Float32Array, at: number, omega: Float64Array, col: number, cap: number): number {
  let sw = 0;
  let sa = 0;
  for (let j = 0; j < BLOCK; j++) {
    sw += omega[col + j]!;
    sa += omega[col + j]! * Math.abs(w[at + j]!);
  }
  if (!(sw > 0) || !(sa > 0)) return 0;
  let s = (1.25 * sa) / sw;
  for (let round = 0; round < ALTERNATION_ROUNDS; round++) {
    let wc = 0;
    let cc = 0;
    for (let q = 0; q < GROUPS_PER_BLOCK; q++) {
      searchGroup(w, at + q * GROUP, omega, col + q * GROUP, s, cap, code);
      wc += code.wc;
      cc += code.cc;
    }
    if (!(cc > 0)) break;
    s = wc / cc;
  }
  return s;
}

/** Codes one block with a fixed scale; error summed, indices written at `group`. */
function codeBlock(w: Float32Array, at: number, omega: Float64Array, col: number, s: number, cap: number, indices: Uint16Array, group: number): number {
  let error = 0;
  for (let q = 0; q < GROUPS_PER_BLOCK; q++) {
    searchGroup(w, at + q * GROUP, omega, col + q * GROUP, s, cap, code);
    error += code.error;
    indices[group + q] = code.index;
  }
  return error;
}

const upper = new Uint16Array(GROUPS_PER_BLOCK);

export function fitTier(w: Float32Array, omega: Float64Array, g: Cb158Geometry, cap: number): TierFit {
  const fit: TierFit = {
    indices: new Uint16Array(g.groups),
    blockCodes: new Uint8Array(g.blocks),
    superScales: new Uint16Array(g.superBlocks),
    distortion: new Float64Array(g.superBlocks),
    clippedBlocks: 0,
  };
  for (let sb = 0; sb < g.superBlocks; sb++) {
    const first = sb * BLOCKS_PER_SUPER;
    const count = Math.min(BLOCKS_PER_SUPER, g.blocks - first);
    let top = 0;
    for (let b = 0; b < count; b++) {
      const at = (first + b) * BLOCK;
      blockScale[b] = fitBlockScale(w, at, omega, at % g.cols, cap);
      if (blockScale[b]! > top) top = blockScale[b]!;
    }
    const dBits = f32ToF16Bits(Math.min(top, F16_MAX));
    const d = f16BitsToF32(dBits);
    fit.superScales[sb] = dBits;
    let distortion = 0;
    for (let b = 0; b < count; b++) {
      const block = first + b;
      const at = block * BLOCK;
      const col = at % g.cols;
      // Nearest log code, then the better of it and its upper neighbour (scales round down in log).
      const ideal = blockScale[b]! > 0 && d > 0 ? -2 * Math.log2(blockScale[b]! / d) : 15;
      if (ideal > 15.5) fit.clippedBlocks++;
      const k0 = Math.min(15, Math.max(0, Math.floor(ideal)));
      const k1 = Math.min(15, k0 + 1);
      const group = block * GROUPS_PER_BLOCK;
      const e0 = codeBlock(w, at, omega, col, Math.fround(d * BLOCK_SCALE_POW[k0]!), cap, fit.indices, group);
      const e1 = k1 === k0 ? Infinity : codeBlock(w, at, omega, col, Math.fround(d * BLOCK_SCALE_POW[k1]!), cap, upper, 0);
      if (e1 < e0) fit.indices.set(upper, group);
      fit.blockCodes[block] = e1 < e0 ? k1 : k0;
      distortion += Math.min(e0, e1);
    }
    fit.distortion[sb] = distortion;
  }
  return fit;
}
