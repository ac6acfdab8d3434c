/**
 * The q/k row permutation of llama.cpp's Llama converter (models.md §3): HF Llama rotates halves
 * of each head, llama.cpp's `llama` graph rotates interleaved pairs, so inside every head of
 * `hd = rows / heads` rows, new row h·hd + 2i + j takes old row h·hd + j·(hd/2) + i.
 * It moves whole rows: apply it to unpacked rows (for HF packed U8 weights, after unpacking, since
 * one packed row holds four original rows) and before ternary packing.
 */
import { fail } from "../core/errors.js";

/** Any typed array of numbers: F32 values, raw F16/BF16 halves, ternary codes, ... */
export type RowArray = Float32Array | Float64Array | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array;

/** How to permute one tensor: `heads` is n_head for attn_q and n_head_kv for attn_k. */
export interface QkPermutation {
  heads: number;
}

function checkHeads(rows: number, heads: number, tensor?: string): number {
  if (!Number.isSafeInteger(rows) || !Number.isSafeInteger(heads) || heads <= 0 || rows % heads !== 0 || (rows / heads) % 2 !== 0) {
    fail("SHAPE_MISMATCH", { tensor, detail: `cannot permute ${rows} rows as ${heads} heads (needs rows = heads × an even head size)` });
  }
  return rows / heads;
}

/** For every destination row, the source row it is copied from. */
export function qkRowOrder(rows: number, heads: number, tensor?: string): Uint32Array {
  const hd = checkHeads(rows, heads, tensor);
  const half = hd / 2;
  const order = new Uint32Array(rows);
  for (let h = 0; h < heads; h++) {
    for (let i = 0; i < half; i++) {
      order[h * hd + 2 * i] = h * hd + i;
      order[h * hd + 2 * i + 1] = h * hd + half + i;
    }
  }
  return order;
}

/** A permuted copy of a row-major [rows, cols] tensor (cols = data.length / rows). */
export function permuteQkRows<T extends RowArray>(data: T, rows: number, heads: number, tensor?: string): T {
  if (rows <= 0 || data.length % rows !== 0) {
    fail("SHAPE_MISMATCH", { tensor, detail: `${data.length} elements do not form ${rows} rows` });
  }
  const order = qkRowOrder(rows, heads, tensor);
  const cols = data.length / rows;
  const out = new (data.constructor as new (length: number) => T)(data.length);
  for (let r = 0; r < rows; r++) {
    const from = order[r]! * cols;
    out.set(data.subarray(from, from + cols) as ArrayLike<number> & T, r * cols);
  }
  return out;
}
