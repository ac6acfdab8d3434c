/** Checks shared by the importers and the collector: sums and means of x² are finite and ≥ 0. */
import { fail } from "../../core/errors.js";

export interface ValueContext {
  tensor: string;
  file?: string;
  /** Byte offset of values[0] in the file, for messages. */
  offset?: number;
  /** What the values are, for messages ("in_sum2", "mean", ...). */
  what: string;
}

/** Fails NON_FINITE on the first NaN/±∞ and INVALID_VALUE on the first negative value. */
export function checkNonNegative(values: ArrayLike<number>, ctx: ValueContext): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (v >= 0 && v !== Infinity) continue;
    const where = { tensor: ctx.tensor, file: ctx.file, offset: ctx.offset === undefined ? undefined : ctx.offset + 4 * i };
    if (!Number.isFinite(v)) fail("NON_FINITE", { ...where, detail: `${ctx.what}[${i}] is ${v}` });
    fail("INVALID_VALUE", { ...where, detail: `${ctx.what}[${i}] is ${v}, which cannot be negative` });
  }
}

/** Little-endian f32 values at `offset` (copied, so the result is aligned and owned). */
export function readF32Le(bytes: Uint8Array, offset: number, count: number): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, 4 * count);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = view.getFloat32(4 * i, true);
  return out;
}

/** `values` as little-endian f32 bytes. */
export function f32LeBytes(values: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(4 * values.length);
  const view = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(4 * i, values[i] as number, true);
  return out;
}
