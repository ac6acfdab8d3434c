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
 */
import { invalidCode } from "../checks.js";
import { defineTqKernel } from "./tq-blocks.js";
import { byteTable } from "./valid-bytes.js";

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
  { byte: 48, count: 4, elem: 240, stride: 4, trits: 4 },
];
const CODE_BYTES = 52;
const QH_START = 48;

function digit(b: number, n: number): number {
  return (((b * 3 ** n) & 0xff) * 3) >> 8;
}

/** TERNARY[n·256 + b] = t of trit n of byte b. */
const TERNARY = new Int8Array(5 * 256);
for (let n = 0; n < 5; n++) for (let b = 0; b < 256; b++) TERNARY[n * 256 + b] = digit(b, n) - 1;

function canonical(b: number): boolean {
  let v = 0;
  for (let n = 0; n < 5; n++) v = v * 3 + digit(b, n);
  return Math.floor((v * 256 + 242) / 243) === b;
}
const VALID_QS = byteTable(canonical);
const VALID_QH = byteTable((b) => canonical(b) && digit(b, 4) === 0);

export const tq10Kernel = defineTqKernel({
  name: "tq1_0",
  blockBytes: CODE_BYTES + 2,
  validateBlock(bytes, off) {
    for (let i = 0; i < CODE_BYTES; i++) {
      const b = bytes[off + i]!;
      const ok = i < QH_START ? VALID_QS[b] : VALID_QH[b];
      if (ok === 0) invalidCode("tq1_0", off + i, `non-canonical base-3 ${i < QH_START ? "qs" : "qh"} byte 0x${b.toString(16)}`);
    }
  },
  decodeBlock(bytes, off, codes, outOff) {
    for (const s of SEGMENTS) {
      for (let i = 0; i < s.count; i++) {
        const b = bytes[off + s.byte + i]!;
        for (let n = 0; n < s.trits; n++) codes[outOff + s.elem + i + n * s.stride] = TERNARY[n * 256 + b]!;
      }
    }
  },
  dotBlock(bytes, off, q, qOff) {
    let acc = 0;
    for (const s of SEGMENTS) {
      for (let i = 0; i < s.count; i++) {
        const b = bytes[off + s.byte + i]!;
        const e = qOff + s.elem + i;
        for (let n = 0; n < s.trits; n++) acc += TERNARY[n * 256 + b]! * q[e + n * s.stride]!;
      }
    }
    return acc;
  },
});
