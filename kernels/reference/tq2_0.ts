/**
 * TQ2_0 decode side (ternary-layouts.md §4): 66-byte blocks; bytes 0–63 are two 32-byte runs
 * (block halves of 128 elements), element l·32 + m of a half at bits 2l … 2l+1 of byte m
 * (low bits first), code c = t + 1; bytes 64–65 are the f16 d.
 */
import { defineTqKernel } from "./tq-blocks.js";
import { decodeRun, dotRun, RUN_BYTES, RUN_ELEMENTS, type SlotShifts } from "./two-bit.js";
import { NO_CODE_3, requireValidBytes } from "./valid-bytes.js";

const LSB_FIRST: SlotShifts = [0, 2, 4, 6];
const CODE_BYTES = 64;

export const tq20Kernel = defineTqKernel({
  name: "tq2_0",
  blockBytes: CODE_BYTES + 2,
  validateBlock: (bytes, off) => requireValidBytes(bytes, off, off + CODE_BYTES, NO_CODE_3, "tq2_0", "2-bit code 3"),
  decodeBlock(bytes, off, codes, outOff) {
    decodeRun(bytes, off, LSB_FIRST, codes, outOff);
    decodeRun(bytes, off + RUN_BYTES, LSB_FIRST, codes, outOff + RUN_ELEMENTS);
  },
  dotBlock: (bytes, off, q, qOff) =>
    dotRun(bytes, off, LSB_FIRST, q, qOff) + dotRun(bytes, off + RUN_BYTES, LSB_FIRST, q, qOff + RUN_ELEMENTS),
});
