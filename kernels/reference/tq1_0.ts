/**
 * TQ1_0 decode side (ternary-layouts.md §5): 54-byte blocks of base-3 fixed-point bytes.
 * Trit n (n = 0 first) of byte b: x = (b · 3ⁿ) mod 256, digit = (x · 3) >> 8, t = digit − 1.
 *   bytes 0–31:  byte m holds elements m + 32n,        n = 0…4 (elements 0–159)
 *   bytes 32–47: byte 32+m holds elements 160 + m + 16n, n = 0…4 (elements 160–239)
 *   bytes 48–51: byte 48+j holds elements 240 + j + 4n,  n = 0…3 (elements 240–255; digit 4 is 0)
 *   bytes 52–53: f16 d.
 * A byte is only valid in its canonical form ceil(v·256/243) of the value v its digits spell
 * (v = Σ digit_n · 3^(4−n)); the 13 other byte values, and qh bytes whose digit 4 is not 0, are
 * never written and are rejected.
 * The GEMV reads each code byte once per four tokens through a 256-entry table per byte position,
 * built per column of blocks.
 */
import { invalidCode } from "../checks.js";
import { TQ_BLOCK, defineTqKernel } from "./tq-blocks.js";
import { byteTable } from "./valid-bytes.js";

const CODE_BYTES = 52;
const BLOCK_BYTES = CODE_BYTES + 2;
const QH_START = 48;
const TRITS = 5;

/** A run of code bytes: first byte, byte count, element of byte 0's trit 0, element stride between trits, trits per byte. */
interface Segment {
  byte: number;
  count: number;
  elem: number;
  stride: number;
  trits: number;
}
const SEGMENTS: readonly Segment[] = [
  { byte: 0, count: 32, elem: 0, stride: 32, trits: 5 },
  { byte: 32, count: 16, elem: 160, stride: 16, trits: 5 },
  { byte: QH_START, count: 4, elem: 240, stride: 4, trits: 4 },
];

function digit(b: number, n: number): number {
  return (((b * 3 ** n) & 0xff) * 3) >> 8;
}

/** TRIT[n][b] = t of trit n of byte b. */
const TRIT = Array.from({ length: TRITS }, (_, n) => Int8Array.from({ length: 256 }, (_, b) => digit(b, n) - 1));
const [T0, T1, T2, T3, T4] = TRIT as [Int8Array, Int8Array, Int8Array, Int8Array, Int8Array];

function canonical(b: number): boolean {
  let v = 0;
  for (let n = 0; n < TRITS; n++) v = v * 3 + digit(b, n);
  return Math.floor((v * 256 + 242) / 243) === b;
}
/** VALID[i·256 + b]: byte value b may stand at code byte i of a block. */
const VALID = new Uint8Array(CODE_BYTES * 256);
{
  const qs = byteTable(canonical);
  const qh = byteTable((b) => canonical(b) && digit(b, 4) === 0);
  for (let i = 0; i < CODE_BYTES; i++) VALID.set(i < QH_START ? qs : qh, i * 256);
}

/** Writes the trits of `count` bytes from bytes[off]: byte i's trit n to codes[out + i + n·stride]. */
function decodeSegment(bytes: Uint8Array, off: number, count: number, trits: number, codes: Int8Array, out: number, stride: number): void {
  for (let i = 0; i < count; i++) {
    const b = bytes[off + i]!;
    const e = out + i;
    codes[e] = T0[b]!;
    codes[e + stride] = T1[b]!;
    codes[e + 2 * stride] = T2[b]!;
    codes[e + 3 * stride] = T3[b]!;
    if (trits === 5) codes[e + 4 * stride] = T4[b]!;
  }
}

/**
 * lut[(i·256 + b)·2 + h] = Σ_n t_n(b) · v_h[column of trit n of code byte i], for the column of
 * blocks whose first column is `col0`.
 */
function fillByteLut(lanes: Float64Array, col0: number, lut: Float64Array): void {
  const v = new Float64Array(TRITS); // the lane values of a byte's trits (0 for a qh byte's unused fifth)
  for (const sg of SEGMENTS) {
    for (let i = 0; i < sg.count; i++) {
      const base = (sg.byte + i) * 512;
      for (let h = 0; h < 2; h++) {
        v.fill(0);
        for (let n = 0; n < sg.trits; n++) v[n] = lanes[2 * (col0 + sg.elem + i + n * sg.stride) + h]!;
        for (let b = 0; b < 256; b++) lut[base + 2 * b + h] = T0[b]! * v[0]! + T1[b]! * v[1]! + T2[b]! * v[2]! + T3[b]! * v[3]! + T4[b]! * v[4]!;
      }
    }
  }
}

export const tq10Kernel = defineTqKernel({
  name: "tq1_0",
  blockBytes: BLOCK_BYTES,
  validate(bytes, blocks) {
    for (let blk = 0; blk < blocks; blk++) {
      const off = blk * BLOCK_BYTES;
      for (let i = 0; i < CODE_BYTES; i++) {
        const b = bytes[off + i]!;
        if (VALID[i * 256 + b] === 0) invalidCode("tq1_0", off + i, `non-canonical base-3 ${i < QH_START ? "qs" : "qh"} byte 0x${b.toString(16)}`);
      }
    }
  },
  decode(bytes, blocks, codes) {
    for (let blk = 0; blk < blocks; blk++) {
      const off = blk * BLOCK_BYTES;
      const out = blk * TQ_BLOCK;
      decodeSegment(bytes, off, 32, 5, codes, out, 32); // SEGMENTS, spelled out: constant arguments keep the loops tight
      decodeSegment(bytes, off + 32, 16, 5, codes, out + 160, 16);
      decodeSegment(bytes, off + QH_START, 4, 4, codes, out + 240, 4);
    }
  },
  accumulate(bytes, g, lanes) {
    const sums = new Float64Array(2 * g.blocks);
    const lut = new Float64Array(CODE_BYTES * 512);
    for (let col = 0; col < g.blocksPerRow; col++) {
      fillByteLut(lanes, col * TQ_BLOCK, lut);
      for (let blk = col; blk < g.blocks; blk += g.blocksPerRow) {
        const off = blk * BLOCK_BYTES;
        let s0 = 0;
        let s1 = 0;
        for (let i = 0; i < CODE_BYTES; i++) {
          const e = i * 512 + 2 * bytes[off + i]!;
          s0 += lut[e]!;
          s1 += lut[e + 1]!;
        }
        sums[2 * blk] = s0;
        sums[2 * blk + 1] = s1;
      }
    }
    return sums;
  },
});
