/** Test helpers for imatrix: a legacy .dat builder written from the documented layout, temp files, error checks. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect } from "vitest";
import { TernpackError, type ErrorCode } from "../../../src/core/errors.js";

export interface LegacyEntry {
  name: string;
  ncall: number;
  values: readonly number[];
}

/**
 * The bytes llama.cpp's pre-GGUF llama-imatrix writes: int32 n_entries; per entry int32 name
 * length, name, int32 ncall, int32 nval, nval f32; then int32 last_call and int32 length + dataset
 * name (older writers stop after last_call). Everything little-endian.
 */
export function legacyBytes(entries: readonly LegacyEntry[], trailer?: { lastCall: number; dataset?: string }): Uint8Array {
  const parts: number[] = [];
  const i32 = (v: number) => {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setInt32(0, v, true);
    parts.push(...b);
  };
  const f32 = (v: number) => {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, v, true);
    parts.push(...b);
  };
  const text = (s: string) => {
    const b = new TextEncoder().encode(s);
    i32(b.length);
    parts.push(...b);
  };
  i32(entries.length);
  for (const e of entries) {
    text(e.name);
    i32(e.ncall);
    i32(e.values.length);
    e.values.forEach(f32);
  }
  if (trailer !== undefined) {
    i32(trailer.lastCall);
    if (trailer.dataset !== undefined) text(trailer.dataset);
  }
  return Uint8Array.from(parts);
}

/** A fresh temporary folder, removed after the file's tests. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "ternpack-imatrix-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function check(caught: unknown, code: ErrorCode, parts: string[]): TernpackError {
  expect(caught).toBeInstanceOf(TernpackError);
  const error = caught as TernpackError;
  expect(error.code, error.message).toBe(code);
  for (const part of parts) expect(error.message).toContain(part);
  return error;
}

/** `fn` throws a TernpackError with `code` whose message contains every one of `parts`. */
export function expectError(fn: () => unknown, code: ErrorCode, ...parts: string[]): TernpackError {
  try {
    fn();
  } catch (e) {
    return check(e, code, parts);
  }
  return check(undefined, code, parts);
}

/** The async form of `expectError`. */
export async function expectRejection(promise: Promise<unknown>, code: ErrorCode, ...parts: string[]): Promise<TernpackError> {
  try {
    await promise;
  } catch (e) {
    return check(e, code, parts);
  }
  return check(undefined, code, parts);
}
