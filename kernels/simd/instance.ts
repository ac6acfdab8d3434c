/** This thread's instance of the kernels' two-bit SIMD module (two-bit.wat). */
import { lazyWasm } from "../../src/core/wasm.js";
import { TWO_BIT_MODULE_BASE64 } from "./two-bit-module.js";

export interface TwoBitExports {
  nibble_blocks(src: number, blocks: number, blockBytes: number, codeBytes: number, first: number, perRow: number, lut: number, sums: number): void;
  decode_runs(src: number, runs: number, perBlock: number, blockBytes: number, msbFirst: number, dst: number): void;
  code3_block(src: number, blocks: number, blockBytes: number, codeBytes: number): number;
}

export const twoBitSimd = lazyWasm<TwoBitExports>(TWO_BIT_MODULE_BASE64);
