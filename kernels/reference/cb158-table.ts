/**
 * Which codebook a CB158 payload's group indices point into (CB158-SPEC.md §3, §5): version 1 uses
 * the built-in ternary grid with tier caps cap0 + t; version 2 stores a learned table after an
 * 11-byte header (byte 10 = T, the tiers in use), as an f16 step τ and 2^(w0+T−1) × 8 int8 entries
 * of value q·τ; its tier t has w0 + t index bits and every index of that width is valid.
 */
import { f16BitsToF32 } from "../../src/core/half.js";
import { invalidCode } from "../checks.js";
import { CODEWORDS, GROUP, TIER_SIZE, TIER_WIDTH } from "./cb158-codebook.js";
import { hasSignBit, isFiniteHalf, u16At } from "./cb158-bytes.js";

const LAYOUT = "cb158";
const HEADER_BYTES = 10;
const LEARNED_HEADER_BYTES = 11;
const MAX_TABLE_WIDTH = 12;

export interface Cb158Codebook {
  version: 1 | 2;
  /** Codeword k at values[8k … 8k+7]. */
  values: ArrayLike<number>;
  /** Index width and number of valid indices of tier ids 0…3 (size 0: the tier id is not in use). */
  widths: number[];
  sizes: number[];
  /** End of the header; end of the learned table (= start of the tier ids). */
  headerEnd: number;
  tableEnd: number;
}

export function readCodebook(bytes: Uint8Array): Cb158Codebook {
  const version = bytes[0]!;
  const head = bytes[1]!;
  if (version === 1) {
    if (head < 1 || head > 5) invalidCode(LAYOUT, 1, `tier-0 cap ${head} outside 1…5`);
    const caps = [0, 1, 2, 3].map((t) => head + t);
    return { version, values: CODEWORDS, widths: caps.map((m) => TIER_WIDTH[m]!), sizes: caps.map((m) => TIER_SIZE[m]!), headerEnd: HEADER_BYTES, tableEnd: HEADER_BYTES };
  }
  if (version !== 2) invalidCode(LAYOUT, 0, `version ${version} (only 1 and 2 are defined)`);
  const tiers = bytes[HEADER_BYTES]!;
  if (tiers < 1 || tiers > 4) invalidCode(LAYOUT, HEADER_BYTES, `learned tier count ${tiers} outside 1…4`);
  if (head < 1 || head + tiers - 1 > MAX_TABLE_WIDTH) invalidCode(LAYOUT, 1, `learned tier-0 width ${head} with ${tiers} tiers (widest ${MAX_TABLE_WIDTH})`);
  const entries = 2 ** (head + tiers - 1);
  const stepAt = LEARNED_HEADER_BYTES;
  const tableEnd = stepAt + 2 + GROUP * entries;
  if (tableEnd > bytes.length) invalidCode(LAYOUT, stepAt, `learned table (${tableEnd - stepAt} bytes) runs past the payload end (${bytes.length} bytes)`);
  const h = u16At(bytes, stepAt);
  if (!isFiniteHalf(h) || hasSignBit(h) || h === 0) invalidCode(LAYOUT, stepAt, `learned table step τ 0x${h.toString(16)} is not a finite positive f16`);
  const step = f16BitsToF32(h);
  const values = new Float32Array(GROUP * entries);
  for (let i = 0; i < values.length; i++) values[i] = ((bytes[stepAt + 2 + i]! << 24) >> 24) * step;
  const widths = [0, 1, 2, 3].map((t) => head + t);
  return { version, values, widths, sizes: widths.map((w, t) => (t < tiers ? 2 ** w : 0)), headerEnd: LEARNED_HEADER_BYTES, tableEnd };
}
