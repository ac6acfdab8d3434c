/**
 * Byte size of a tensor's GGUF payload (before alignment padding): the regular block formula
 * (gguf.md §4) and the special cases of the bitnet.cpp fork's `ggml_nbytes` (§4.2), whose type
 * traits are placeholders so that no (block, bytes) table can size I2_S/TL1/TL2 tensors.
 */
import { fail } from "../../src/core/errors.js";
import { alignUp } from "./align.js";
import { ggmlTypeInfo, type GgmlTypeInfo, type GgufFlavor } from "./ggml-types.js";

/** GGML_MAX_DIMS. */
export const GGML_MAX_DIMS = 4;

/** Rejects dims that are not 1–4 non-negative safe integers (ne0 first). */
export function checkGgmlDims(ne: readonly number[]): void {
  if (ne.length < 1 || ne.length > GGML_MAX_DIMS) {
    fail("INVALID_DIMS", { detail: `n_dims is ${ne.length}, must be 1..${GGML_MAX_DIMS}` });
  }
  ne.forEach((d, i) => {
    if (!Number.isSafeInteger(d) || d < 0) fail("INVALID_DIMS", { detail: `ne${i} is ${d}, not a non-negative safe integer` });
  });
}

function safe(n: number, what: string): number {
  if (!Number.isSafeInteger(n)) fail("VALIDATION_OVERFLOW", { detail: `${what} exceeds 2^53` });
  return n;
}

/** Integer division as Python's `//` for the non-negative operands used here. */
const div = (a: number, b: number): number => Math.floor(a / b);

/**
 * L of the TL2 padding formula `(K − 256)·M/3·5/8 + 256·M/2·4/8`, integer ops left to right with
 * floor division (ternary-layouts.md §3.5). K < 256 is refused: Python and C disagree there.
 */
/** bitnet.cpp's padded TL2 length L for row length k and m rows (integer ops left to right). */
export function tl2PaddedLength(k: number, m: number): number {
  if (k < 256) fail("INVALID_DIMS", { detail: `TL2 needs ne0 >= 256, got ${k}` });
  const triples = div(div(safe((k - 256) * m, "TL2 size"), 3) * 5, 8);
  const pairs = div(div(256 * m, 2) * 4, 8);
  return safe(triples + pairs, "TL2 size");
}

/** Payload bytes of a tensor of a known, sizable type; see `ggmlTensorBytes`. */
export function tensorBytesOf(info: GgmlTypeInfo, ne: readonly number[]): number {
  checkGgmlDims(ne);
  const k = ne[0] as number;
  const m = safe(ne.slice(1).reduce((a, b) => a * b, 1), "ne1·ne2·ne3");
  const n = safe(k * m, "element count");
  switch (info.sizing) {
    case "block":
      if (k % info.blockSize !== 0) {
        fail("BLOCK_MISMATCH", { detail: `ne0 = ${k} is not a multiple of ${info.name}'s block size ${info.blockSize}` });
      }
      return safe((k / info.blockSize) * info.typeSize * m, "byte size");
    case "i2_s":
      return div(n, 4) + 32;
    case "tl1":
      return alignUp(div(n, 4), 32) + 32;
    case "tl2":
      return alignUp(tl2PaddedLength(k, m), 32) + 32;
    case "none":
      return fail("INVALID_TYPE_ID", { detail: `type ${info.id} (${info.name}): ${info.note}` });
  }
}

/**
 * Exact payload bytes of a tensor of ggml type `type` with GGUF dims `ne` (ne0 first), before
 * padding: `(ne0/block)·typeSize·ne1·ne2·ne3` for regular types; for bitnet.cpp, with K = ne0
 * and M = ne1·ne2·ne3: I2_S `M·K/4 + 32`, TL1 `pad32(M·K/4) + 32`, TL2 `pad32(L) + 32` (the +32 is
 * the scale block). `flavor` only matters for ids 36–42 (default bitnet.cpp: ids 36/38/39 are
 * I2_S/TL1/TL2). Throws INVALID_TYPE_ID, INVALID_DIMS, BLOCK_MISMATCH or VALIDATION_OVERFLOW.
 */
export function ggmlTensorBytes(type: number, ne: readonly number[], flavor: GgufFlavor = "bitnet.cpp"): number {
  const info = ggmlTypeInfo(type, flavor);
  if (info === undefined) return fail("INVALID_TYPE_ID", { detail: `type ${type} is not a ${flavor} ggml type` });
  return tensorBytesOf(info, ne);
}
