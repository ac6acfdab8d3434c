/**
 * I2_S decode side (ternary-layouts.md §1): the row-major matrix flattened into 128-element
 * blocks of 32 bytes, byte j holding block elements j, j+32, j+64, j+96 at shifts 6, 4, 2, 0;
 * then a 32-byte tail whose first 4 bytes are the per-tensor f32 scale (at byte n/4).
 * Payload = n/4 + 32 bytes. The GEMV needs K % 128 == 0 (rows start on block boundaries).
 */
import { requireLength, requireShape, readScaleF32, type Dims } from "../checks.js";
import { nibbleLut } from "../lut.js";
import { nibbleBlocks } from "../nibble-blocks.js";
import { decodeRuns } from "../two-bit-decode.js";
import { defineKernel } from "./define-kernel.js";
import { RUN_BYTES, RUN_ELEMENTS, runColumns, TWO_BIT_NIBBLE, type SlotShifts } from "./two-bit.js";
import { requireNoCode3Blocks } from "./valid-bytes.js";

const MSB_FIRST: SlotShifts = [6, 4, 2, 0];

interface I2sGeometry extends Dims {
  /** Packed code bytes = n/4; the scale follows at this offset. */
  codeBytes: number;
}

export const i2sKernel = defineKernel<I2sGeometry>({
  name: "i2_s",
  scaleGroup: "row",
  open(bytes, dims) {
    const n = dims.M * dims.K;
    requireShape(n % RUN_ELEMENTS === 0, "i2_s", dims, "M·K must be a multiple of 128");
    const codeBytes = n / 4;
    requireLength(bytes, codeBytes + 32, "i2_s", dims);
    requireNoCode3Blocks(bytes, 0, 1, 0, codeBytes, "i2_s");
    return { ...dims, codeBytes };
  },
  scales: (bytes, g) => readScaleF32(bytes, g.codeBytes),
  decode(bytes, g, codes) {
    decodeRuns(bytes, { blocks: g.codeBytes / RUN_BYTES, blockBytes: RUN_BYTES, perBlock: 1 }, MSB_FIRST, codes);
  },
  accumulate(bytes, g, lanes) {
    requireShape(g.K % RUN_ELEMENTS === 0, "i2_s", g, "the GEMV needs K % 128 == 0 (rows must start on a block)");
    const lut = nibbleLut(lanes, runColumns(MSB_FIRST, g.K / RUN_ELEMENTS), TWO_BIT_NIBBLE);
    const rowBytes = g.K / 4;
    return nibbleBlocks(bytes, { blocks: g.M, blockBytes: rowBytes, codeBytes: rowBytes, perRow: 1 }, lut);
  },
});
