/**
 * The scales a layout must store for given codes and quantizer scales (bitnet-semantics.md §3.2,
 * ternary-layouts.md §5.1), derived here from the spec rather than taken from the packers: a
 * verifier that reused the packer's rule could not catch a mistake in it.
 */
import { fail } from "../core/errors.js";
import { f16BitsFromF32Bits, f16BitsToF32Bits } from "../core/half.js";
import type { KernelName } from "../../kernels/index.js";

const TQ_BLOCK = 256;

/** I2_S, TL1 and TL2 store the one f32 σ as it is; TQ stores f16 per 256-block. */
export function isPerBlockLayout(name: KernelName): boolean {
  return name === "tq1_0" || name === "tq2_0";
}

function blockIsZero(codes: Int8Array, start: number): boolean {
  for (let j = start; j < start + TQ_BLOCK; j++) if (codes[j] !== 0) return false;
  return true;
}

/**
 * I2_S/TL: `scales` itself (length 1). TQ: d_b = f16_RNE(σ_b) widened to f32 (bit patterns
 * throughout), +0 for all-zero blocks, where σ_b is the tensor's, the row's or the block's σ.
 * Throws SHAPE_MISMATCH for any other number of scales.
 */
export function storedScales(name: KernelName, M: number, K: number, codes: Int8Array, scales: Float32Array, tensor: string): Float32Array {
  const perBlock = isPerBlockLayout(name);
  const blocksPerRow = K / TQ_BLOCK;
  const blocks = M * blocksPerRow;
  if (!perBlock) {
    if (scales.length === 1) return scales;
    fail("SHAPE_MISMATCH", { tensor, detail: `${name} stores one f32 scale per tensor, expected.scales has ${scales.length}` });
  }
  const perRow = scales.length === M;
  if (scales.length !== 1 && !perRow && scales.length !== blocks) {
    fail("SHAPE_MISMATCH", {
      tensor,
      detail: `${name} [${M}, ${K}]: expected.scales must hold 1 (tensor), ${M} (row) or ${blocks} (block) scales, got ${scales.length}`,
    });
  }
  const source = new Uint32Array(scales.buffer, scales.byteOffset, scales.length);
  const out = new Float32Array(blocks);
  const outBits = new Uint32Array(out.buffer);
  for (let b = 0; b < blocks; b++) {
    if (blockIsZero(codes, b * TQ_BLOCK)) continue; // +0
    const s = scales.length === blocks ? b : perRow ? Math.floor(b / blocksPerRow) : 0;
    outBits[b] = f16BitsToF32Bits(f16BitsFromF32Bits(source[s]!));
  }
  return out;
}
