/**
 * llama.cpp's legacy imatrix file (`imatrix.dat`, before the GGUF format), all little-endian:
 *
 *   int32 n_entries
 *   n_entries × { int32 len; len bytes name; int32 ncall; int32 nval; nval × f32 value }
 *   optional: int32 last_call, then optional int32 len + len bytes dataset file name
 *
 * A stored value is (Σx² / count) × ncall, so the per-column mean is value / ncall — exactly what
 * llama-quantize's loader computes (in f32; entries with ncall ≤ 0 are left undivided there, and
 * here an ncall of 0 is kept undivided too while a negative one is refused). See README.md.
 */
import { fail } from "../../core/errors.js";
import type { ImatrixEntry, ImportanceMatrix } from "./types.js";
import { checkNonNegative, readF32Le } from "./values.js";

const UTF8 = new TextDecoder("utf-8", { fatal: true });

class LegacyCursor {
  position = 0;
  private readonly view: DataView;
  constructor(
    readonly bytes: Uint8Array,
    readonly file: string,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  get remaining(): number {
    return this.bytes.length - this.position;
  }
  need(n: number, what: string): void {
    if (n > this.remaining) {
      fail("TRUNCATED", { file: this.file, offset: this.position, detail: `${what} needs ${n} bytes, ${this.remaining} left` });
    }
  }
  /** An int32 that must be ≥ `min` (INVALID_VALUE otherwise). */
  int(what: string, min: number, tensor?: string): number {
    this.need(4, what);
    const v = this.view.getInt32(this.position, true);
    if (v < min) fail("INVALID_VALUE", { file: this.file, tensor, offset: this.position, detail: `${what} is ${v}, must be at least ${min}` });
    this.position += 4;
    return v;
  }
  text(length: number, what: string): string {
    this.need(length, what);
    const start = this.position;
    this.position += length;
    try {
      return UTF8.decode(this.bytes.subarray(start, start + length));
    } catch {
      return fail("INVALID_UTF8", { file: this.file, offset: start, detail: `${what} is not valid UTF-8` });
    }
  }
}

function readEntry(c: LegacyCursor, index: number): [string, ImatrixEntry] {
  const nameLength = c.int(`name length of entry #${index}`, 1);
  const name = c.text(nameLength, `name of entry #${index}`);
  const calls = c.int("ncall", 0, name);
  const count = c.int("nval", 1, name);
  c.need(4 * count, `${count} values of '${name}'`);
  const offset = c.position;
  const mean = readF32Le(c.bytes, offset, count);
  c.position += 4 * count;
  checkNonNegative(mean, { tensor: name, file: c.file, offset, what: "value" });
  if (calls > 0) {
    const divisor = Math.fround(calls);
    for (let i = 0; i < count; i++) mean[i] = (mean[i] as number) / divisor;
  }
  return [name, { mean, columns: count, matrices: 1, tokens: undefined, calls }];
}

/** Parses a legacy `.dat` imatrix held in memory; `file` names it in errors and provenance. */
export function importLegacyImatrix(bytes: Uint8Array, file = "<buffer>"): ImportanceMatrix {
  const c = new LegacyCursor(bytes, file);
  const n = c.int("n_entries", 1);
  // Each entry takes at least 17 bytes: name length, one name byte, ncall, nval, one value.
  c.need(17 * n, `${n} entries`);
  const entries = new Map<string, ImatrixEntry>();
  for (let i = 0; i < n; i++) {
    const start = c.position;
    const [name, entry] = readEntry(c, i);
    if (entries.has(name)) fail("DUPLICATE_TENSOR", { file, tensor: name, offset: start, detail: `entry #${i} repeats the name` });
    entries.set(name, entry);
  }
  let chunkCount: number | undefined;
  const datasets: string[] = [];
  // Older writers stop after last_call; newer ones append the dataset file name.
  if (c.remaining > 0) chunkCount = c.int("last_call", 0);
  if (c.remaining > 0) datasets.push(c.text(c.int("dataset name length", 0), "dataset name"));
  if (c.remaining > 0) fail("INVALID_VALUE", { file, offset: c.position, detail: `${c.remaining} unexpected bytes after the dataset name` });
  return {
    entries,
    provenance: { sourceFile: file, datasets, chunkCount, chunkSize: undefined, tokens: undefined, format: "legacy" },
  };
}
