/**
 * The crate's `Metadata::validate` and final coverage check (spec §3 rows 7–11), in its order:
 * tensors sorted by (begin, end); each must start where the previous one ended (the first at 0),
 * with overflow-checked sizes that match the offsets exactly; the last must end at the end of the file.
 * This is the only place where bigint is used: past it, every number is a safe integer.
 */
import { fail } from "../../src/core/errors.js";
import { dtypeBits } from "./dtypes.js";
import { U64_MAX, type RawTensor } from "./header-schema.js";
import type { TensorInfo } from "./types.js";

export interface LayoutContext {
  file: string;
  headerLength: number;
  fileSize: number;
}

export function validateLayout(raw: readonly RawTensor[], ctx: LayoutContext): TensorInfo[] {
  const { file } = ctx;
  const byOffsets = [...raw].sort((a, b) => compare(a.begin, b.begin) || compare(a.end, b.end));
  let expected = 0n;
  for (const t of byOffsets) {
    const bad = (code: Parameters<typeof fail>[0], detail: string): never =>
      fail(code, { file, tensor: t.name, offset: t.at(), detail });
    if (t.end < t.begin) bad("INVALID_OFFSET", `data_offsets [${t.begin}, ${t.end}] end before they begin`);
    if (t.begin !== expected) {
      if (expected === 0n) bad("INVALID_OFFSET", `the first tensor's data starts at ${t.begin}, expected 0`);
      bad(
        "INVALID_OFFSET",
        t.begin > expected
          ? `data starts at ${t.begin} but the previous tensor ends at ${expected}: ${t.begin - expected} unused bytes`
          : `data starts at ${t.begin}, inside the previous tensor which ends at ${expected}`,
      );
    }
    expected = t.end;

    let elements = 1n; // checked at every step, as the crate's try_fold(checked_mul) does
    for (const d of t.shape) {
      elements *= d;
      if (elements > U64_MAX) bad("VALIDATION_OVERFLOW", `element count of shape [${t.shape.join(", ")}] overflows 64 bits`);
    }
    const bits = elements * BigInt(dtypeBits(t.dtype));
    if (bits > U64_MAX) bad("VALIDATION_OVERFLOW", `${elements} elements of ${t.dtype} overflow 64 bits`);
    if (bits % 8n !== 0n) bad("MISALIGNED_SLICE", `${elements} elements of ${t.dtype} are ${bits} bits, not whole bytes`);
    const span = t.end - t.begin;
    if (span !== bits / 8n) {
      bad("TENSOR_INVALID_INFO", `${t.dtype} [${t.shape.join(", ")}] needs ${bits / 8n} bytes, data_offsets span ${span}`);
    }
  }

  const dataStart = 8 + ctx.headerLength;
  const fileData = ctx.fileSize - dataStart;
  if (expected !== BigInt(fileData)) {
    fail("INCOMPLETE_BUFFER", { file, offset: dataStart, detail: `header says ${expected} data bytes, file has ${fileData}` });
  }

  // Every offset is now within the file, so Number() is exact; only dims beside a 0 can still be huge.
  return raw.map((t) => {
    const shape = t.shape.map((d, i) => {
      if (d > BigInt(Number.MAX_SAFE_INTEGER)) {
        fail("LIMIT_EXCEEDED", { file, tensor: t.name, offset: t.at(), detail: `shape[${i}] = ${d} exceeds 2^53 - 1` });
      }
      return Number(d);
    });
    return { name: t.name, dtype: t.dtype, shape, byteOffset: dataStart + Number(t.begin), byteLength: Number(t.end - t.begin) };
  });
}

function compare(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
