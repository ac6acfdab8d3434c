/**
 * TQ2_0 (ggml type 35): 66 bytes per 256 elements, four 2-bit codes per byte, then f16 d
 * (`ternary-layouts.md` §4). Element e of a block: byte 32·(e div 128) + (e mod 32), bit shift
 * 2·((e mod 128) div 32), lowest bits first.
 */
import { GGML_TYPE } from "../gguf/constants.js";
import { codeLanes, invalidLanes } from "./blocks.js";
import { defineTqLayout, type TqCodec } from "./tq-layout.js";

const CODE_BYTES = 64;

const codec: TqCodec = {
  write(words, start, out, at) {
    // Byte 32h + 4j + k is lane k of C0 | C1 << 2 | C2 << 4 | C3 << 6, where Cs holds c = t + 1 of
    // elements 128h + 32s + 4j … + 3 (no lane exceeds 2 << 6).
    let bad = 0;
    for (let h = 0; h < 2; h++) {
      const w = start + 32 * h;
      for (let j = 0; j < 8; j++) {
        const c0 = codeLanes(words[w + j]!);
        const c1 = codeLanes(words[w + 8 + j]!);
        const c2 = codeLanes(words[w + 16 + j]!);
        const c3 = codeLanes(words[w + 24 + j]!);
        bad |= invalidLanes(c0) | invalidLanes(c1) | invalidLanes(c2) | invalidLanes(c3);
        const packed = c0 | (c1 << 2) | (c2 << 4) | (c3 << 6);
        const o = at + 32 * h + 4 * j;
        out[o] = packed;
        out[o + 1] = packed >>> 8;
        out[o + 2] = packed >>> 16;
        out[o + 3] = packed >>> 24;
      }
    }
    return bad;
  },

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
