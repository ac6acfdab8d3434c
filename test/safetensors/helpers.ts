/** Test helpers: hand-built files, a read-counting ByteSource, a seeded PRNG. */
import { expect } from "vitest";
import { TernpackError, type ErrorCode } from "../../src/core/errors.js";
import { bufferSource, type ByteSource } from "../../src/core/io.js";
import { mulberry32 } from "../../src/core/prng.js";

/** A file built byte by byte: u64 LE `n` (default: the header's byte length), header, data. */
export function buildFile(header: string, data: Uint8Array | number = 0, n?: bigint): Uint8Array {
  const json = new TextEncoder().encode(header);
  const body = typeof data === "number" ? new Uint8Array(data) : data;
  const out = new Uint8Array(8 + json.length + body.length);
  new DataView(out.buffer).setBigUint64(0, n ?? BigInt(json.length), true);
  out.set(json, 8);
  out.set(body, 8 + json.length);
  return out;
}

/** One tensor entry's JSON. */
export function entry(dtype: string, shape: (number | string)[], begin: number, end: number): string {
  return `{"dtype":"${dtype}","shape":[${shape.join(",")}],"data_offsets":[${begin},${end}]}`;
}

export interface CountingSource extends ByteSource {
  readonly reads: { offset: number; length: number }[];
  closed: boolean;
}

/** A buffer source that records every read (offset, length). */
export function countingSource(bytes: Uint8Array, name = "<test>"): CountingSource {
  const inner = bufferSource(bytes, name);
  const reads: { offset: number; length: number }[] = [];
  const source: CountingSource = {
    name,
    size: bytes.length,
    reads,
    closed: false,
    read(offset, length) {
      reads.push({ offset, length });
      return inner.read(offset, length);
    },
    async close() {
      source.closed = true;
    },
  };
  return source;
}

/** Awaits `p` and asserts it fails with a TernpackError of `code`; returns the error. */
export async function expectCode(p: Promise<unknown>, code: ErrorCode): Promise<TernpackError> {
  let error: unknown;
  try {
    await p;
  } catch (e) {
    error = e;
  }
  expect(error, `expected ${code}`).toBeInstanceOf(TernpackError);
  expect((error as TernpackError).code).toBe(code);
  return error as TernpackError;
}

/** mulberry32: small, deterministic. */
export function prng(seed: number): { next(): number; int(n: number): number; pick<T>(xs: readonly T[]): T } {
  const next = mulberry32(seed);
  const int = (n: number) => Math.floor(next() * n);
  return { next, int, pick: (xs) => xs[int(xs.length)]! };
}
