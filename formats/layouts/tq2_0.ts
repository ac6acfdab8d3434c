/**
 * TQ2_0 (ggml type 35): 66 bytes per 256 elements, four 2-bit codes per byte, then f16 d
 * (`ternary-layouts.md` §4). Element e of a block: byte 32·(e div 128) + (e mod 32), bit shift
 * 2·((e mod 128) div 32), lowest bits first.
 */
import { GGML_TYPE } from "../gguf/constants.js";
import { packRuns } from "./two-bit-pack.js";
import { defineTqLayout, type TqCodec } from "./tq-layout.js";

const CODE_BYTES = 64;

const codec: TqCodec = {
  // The block's two halves are 32-byte runs of 128 elements, the first of each quarter in the low bits.
  writeBlocks: (codes, blocks, out, blockBytes) => packRuns(codes, { blocks, blockBytes, perBlock: 2 }, false, out),

  read(bytes, at, codes) {
    for (let byte = 0; byte < CODE_BYTES; byte++) {
      const e = (byte >>> 5) * 128 + (byte & 31);
      const b = bytes[at + byte]!;
      codes[e] = b & 3;
      codes[e + 32] = (b >>> 2) & 3;
      codes[e + 64] = (b >>> 4) & 3;
      codes[e + 96] = b >>> 6;
    }
  },

  firstInvalidByte(bytes, at) {
    for (let byte = 0; byte < CODE_BYTES; byte++) {
      const b = bytes[at + byte]!;
      if ((b & (b >>> 1) & 0x55) !== 0) return byte; // some 2-bit field is 0b11
    }
    return -1;
  },

  invalidReason: "a 2-bit field holds code 3, which TQ2_0 never writes (a reader would take it as +2·d)",
};

export const tq2_0Layout = defineTqLayout({
  name: "tq2_0",
  ggmlType: GGML_TYPE.TQ2_0,
  blockBytes: CODE_BYTES + 2,
  description: "llama.cpp TQ2_0: 256-element row blocks, 2-bit codes, f16 scale last (2.0625 bpw)",
  codec,
});
