/**
 * TQ1_0 (ggml type 34): 54 bytes per 256 elements, five base-3 digits per byte stored as the
 * 8-bit fraction ceil(v·256/243), then qh[4] holding four digits, then f16 d
 * (`ternary-layouts.md` §5).
 */
import { GGML_TYPE } from "../gguf/constants.js";
import { codeLanes, codeWords, invalidLanes } from "./blocks.js";
import { defineTqLayout, type TqCodec } from "./tq-layout.js";

/** The stored byte of a 5-digit base-3 value v (0…242): ceil(v·256/243). */
function byteOfValue(v: number): number {
  return ((v * 256 + 242) / 243) | 0;
}

/** TRIT[b·5 + n] = digit n of byte b as the reference decodes it: ((b·3ⁿ mod 256)·3) >> 8. */
const TRIT = new Uint8Array(256 * 5);
for (let b = 0; b < 256; b++) {
  for (let n = 0, pow = 1; n < 5; n++, pow *= 3) TRIT[b * 5 + n] = (((b * pow) & 0xff) * 3) >> 8;
}

/**
 * The stored byte of the digits `src[start + n·stride]`, n < trits, first digit most significant;
 * qh's four digits sit in the top places (the value is multiplied by 3).
 */
function encodeDigits(src: Uint8Array, start: number, stride: number, trits: number): number {
  let v = 0;
  for (let n = 0; n < trits; n++) v = v * 3 + src[start + n * stride]!;
  return byteOfValue(trits === 4 ? v * 3 : v);
}

/** canonical[b] = 1 when the encoder writes byte b: re-encoding the digits it decodes to gives it back. */
function canonicalBytes(trits: number): Uint8Array {
  const table = new Uint8Array(256);
  for (let b = 0; b < 256; b++) table[b] = encodeDigits(TRIT, b * 5, 1, trits) === b ? 1 : 0;
  return table;
}

/** One run of bytes: byte `first + m` holds elements `element + m + n·stride` as digits n = 0, 1, … */
interface TritGroup {
  first: number;
  count: number;
  element: number;
  stride: number;
  trits: number;
  canonical: Uint8Array;
}

const QS_CANONICAL = canonicalBytes(5);
const GROUPS: readonly TritGroup[] = [
  { first: 0, count: 32, element: 0, stride: 32, trits: 5, canonical: QS_CANONICAL }, // qs[0..31]: elements 0–159
  { first: 32, count: 16, element: 160, stride: 16, trits: 5, canonical: QS_CANONICAL }, // qs[32..47]: 160–239
  { first: 48, count: 4, element: 240, stride: 4, trits: 4, canonical: canonicalBytes(4) }, // qh[0..3]: 240–255
];
const CODE_BYTES = 52;

/** One block's codes c = t + 1, filled four at a time by `writeBlocks`. */
const digits = new Uint8Array(256);
const digitWords = new Int32Array(digits.buffer);

const codec: TqCodec = {
  writeBlocks(codes, blocks, out, blockBytes) {
    const words = codeWords(codes);
    let bad = 0;
    for (let b = 0, at = 0; b < blocks; b++, at += blockBytes) {
      for (let j = 0; j < 64; j++) {
        const lanes = codeLanes(words[64 * b + j]!);
        bad |= invalidLanes(lanes);
        digitWords[j] = lanes;
      }
      for (const { first, count, element, stride, trits } of GROUPS) {
        for (let m = 0; m < count; m++) out[at + first + m] = encodeDigits(digits, element + m, stride, trits);
      }
    }
    return bad !== 0;
  },

  read(bytes, at, codes) {
    for (const { first, count, element, stride, trits } of GROUPS) {
      for (let m = 0; m < count; m++) {
        const row = bytes[at + first + m]! * 5;
        for (let n = 0; n < trits; n++) codes[element + m + n * stride] = TRIT[row + n]!;
      }
    }
  },

  firstInvalidByte(bytes, at) {
    for (const { first, count, canonical } of GROUPS) {
      for (let m = 0; m < count; m++) if (canonical[bytes[at + first + m]!] === 0) return first + m;
    }
    return -1;
  },

  invalidReason: "the TQ1_0 encoder never writes this byte (re-encoding the digits it decodes to gives another byte)",
};

export const tq1_0Layout = defineTqLayout({
  name: "tq1_0",
  ggmlType: GGML_TYPE.TQ1_0,
  blockBytes: CODE_BYTES + 2,
  description: "llama.cpp TQ1_0: 256-element row blocks, 5 ternary digits per byte, f16 scale last (1.6875 bpw)",
  codec,
});
