/**
 * TQ2_0 decode side (ternary-layouts.md §4): 66-byte blocks; bytes 0–63 are two 32-byte runs
 * (block halves of 128 elements), element l·32 + m of a half at bits 2l … 2l+1 of byte m
 * (low bits first), code c = t + 1; bytes 64–65 are the f16 d.
 */
import { nibbleLut } from "../lut.js";
import { nibbleBlocks } from "../nibble-blocks.js";
import { decodeRuns } from "../two-bit-decode.js";
import { TQ_BLOCK, defineTqKernel } from "./tq-blocks.js";
import { RUN_ELEMENTS, runColumns, TWO_BIT_NIBBLE, type SlotShifts } from "./two-bit.js";
import { requireNoCode3Blocks } from "./valid-bytes.js";

const LSB_FIRST: SlotShifts = [0, 2, 4, 6];
const CODE_BYTES = 64;
const BLOCK_BYTES = CODE_BYTES + 2;

export const tq20Kernel = defineTqKernel({
  name: "tq2_0",
  blockBytes: BLOCK_BYTES,
  validate: (bytes, blocks) => requireNoCode3Blocks(bytes, 0, blocks, BLOCK_BYTES, CODE_BYTES, "tq2_0"),
  decode(bytes, blocks, codes) {
    decodeRuns(bytes, { blocks, blockBytes: BLOCK_BYTES, perBlock: TQ_BLOCK / RUN_ELEMENTS }, LSB_FIRST, codes);
  },
  accumulate(bytes, g, lanes) {
    // Blocks follow each other along a row, so a row's runs are the row's 128-element halves in order.
    const lut = nibbleLut(lanes, runColumns(LSB_FIRST, g.K / RUN_ELEMENTS), TWO_BIT_NIBBLE);
    return nibbleBlocks(bytes, { blocks: g.blocks, blockBytes: BLOCK_BYTES, codeBytes: CODE_BYTES, perRow: g.blocksPerRow }, lut);
  },
});
