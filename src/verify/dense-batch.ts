/**
 * The dense integer reference (what kernels/dense.ts `denseGemv` computes: Σ t·q per row and scale
 * group over plain int8 codes, no layout involved) for several tokens in one pass over the codes.
 * test/verify/dense-batch.test.ts checks it against `denseGemv`.
 *
 * Four tokens ride in two float64 lanes (kernels/lanes.ts). The codes are read four at a time as a
 * little-endian word; t & 3 maps −1, 0, +1 to the 2-bit fields 3, 0, 1, so each half-word's two
 * codes form a 4-bit index into a 16-entry table of lane sums (kernels/lut.ts nibble tables).
 * A word is valid only if every byte is 0x00, 0x01 or 0xff: any other code fails the word check.
 */
import { fail } from "../core/errors.js";
import { laneScale, MAX_PAIRED_GROUP, packLanes, splitLanes, tokensPerPass } from "../../kernels/lanes.js";
import { NIBBLE_STRIDE, nibbleCodes, nibbleLut } from "../../kernels/lut.js";

const FIELD_CODE = [0, 1, 0, -1] as const; // field 2 is never valid (the word check rejects it)
/** First code = upper field (the second of the two columns), second = lower field. */
const CODE_NIBBLE = nibbleCodes((x) => [FIELD_CODE[x >> 2]!, FIELD_CODE[x & 3]!]);

/** The codes with every group padded to a multiple of 4 columns (zeros), as aligned little-endian words. */
function paddedWords(codes: Int8Array, groupSize: number, padded: number): Uint32Array {
  if (padded === groupSize && codes.byteOffset % 4 === 0) return new Uint32Array(codes.buffer, codes.byteOffset, codes.length / 4);
  const groups = codes.length / groupSize;
  const out = new Int8Array(groups * padded);
  for (let g = 0; g < groups; g++) out.set(codes.subarray(g * groupSize, (g + 1) * groupSize), g * padded);
  return new Uint32Array(out.buffer);
}

/**
 * Nibble-table columns of a padded row: word w covers padded columns 4w … 4w+3, its low half-word
 * at position 2w, its high half-word at 2w + 1. Padding columns read the zero lane at index K.
 */
function paddedColumns(K: number, groupSize: number, padded: number): Int32Array {
  const columns = (K / groupSize) * padded;
  const cols = new Int32Array(columns);
  for (let c = 0; c < columns; c++) {
    const g = Math.floor(c / padded);
    const i = c - g * padded;
    const col = i < groupSize ? g * groupSize + i : K;
    cols[c ^ 1] = col; // position p = c >> 1 takes (first, second) = (column 2p + 1, column 2p)
  }
  return cols;
}

function rejectCode(codes: Int8Array, K: number, start: number, end: number, tensor?: string): never {
  for (let i = start; i < end; i++) {
    const t = codes[i]!;
    if (t > 1 || t < -1) fail("INVALID_TERNARY", { tensor, detail: `expected code ${t} at row ${Math.floor(i / K)}, column ${i % K}` });
  }
  throw new Error("dense reference: word check failed without an invalid code");
}

/**
 * acc[t][r · (K / groupSize) + g] = Σ_{k in group g} codes[r·K + k] · q[t·K + k], exact int32,
 * for `tokens` rows of `q` (row-major tokens × K). Throws INVALID_TERNARY for a code outside {−1, 0, +1}.
 */
export function denseAccumulators(codes: Int8Array, M: number, K: number, q: Int8Array, tokens: number, groupSize: number, tensor?: string): Int32Array[] {
  if (groupSize > MAX_PAIRED_GROUP) fail("LIMIT_EXCEEDED", { tensor, detail: `dense reference: scale groups of ${groupSize} > ${MAX_PAIRED_GROUP} elements` });
  const groups = K / groupSize;
  const padded = Math.ceil(groupSize / 4) * 4;
  const groupWords = padded / 4;
  const rowWords = groups * groupWords;
  const words = paddedWords(codes, groupSize, padded);
  const cols = paddedColumns(K, groupSize, padded);
  const S = laneScale(groupSize);
  const lanes = new Float64Array(2 * K + 2);
  const accs = Array.from({ length: tokens }, () => new Int32Array(M * groups));
  const sums = new Float64Array(2 * M * groups);
  for (let first = 0; first < tokens; first += tokensPerPass(S)) {
    packLanes(q, tokens, K, first, S, lanes);
    const lut = nibbleLut(lanes, cols, CODE_NIBBLE);
    for (let r = 0, at = 0; r < M; r++) {
      const row = r * rowWords;
      for (let g = 0; g < groups; g++, at++) {
        let s0 = 0;
        let s1 = 0;
        let bad = 0;
        const end = row + (g + 1) * groupWords;
        // p: table offset of the current word's low half-word (position 2w; the high one follows)
        for (let i = row + g * groupWords, p = 2 * g * groupWords * NIBBLE_STRIDE; i < end; i++, p += 2 * NIBBLE_STRIDE) {
          const x = words[i]!;
          const m = x & 0x03030303;
          const low = m & 0x01010101;
          bad |= x ^ (low | ((low & (m >>> 1)) * 0xfe)); // rebuilds 0x00 / 0x01 / 0xff from the fields
          const a = p + (((m & 3) | ((m >>> 6) & 12)) << 1);
          const b = p + NIBBLE_STRIDE + ((((m >>> 16) & 3) | ((m >>> 22) & 12)) << 1);
          s0 += lut[a]! + lut[b]!;
          s1 += lut[a + 1]! + lut[b + 1]!;
        }
        if (bad !== 0) rejectCode(codes, K, r * K + g * groupSize, r * K + (g + 1) * groupSize, tensor);
        sums[2 * at] = s0;
        sums[2 * at + 1] = s1;
      }
    }
    splitLanes(sums, S, first, accs);
  }
  return accs;
}
