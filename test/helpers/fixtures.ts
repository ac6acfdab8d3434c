/** Reading the golden fixtures copied from ../shared/golden (see fixtures/README.md). */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";

export const FIXTURES = fileURLToPath(new URL("../../fixtures/", import.meta.url));

export function fixturePath(...parts: string[]): string {
  return join(FIXTURES, ...parts);
}

export function readFixture(...parts: string[]): Uint8Array {
  const buf = readFileSync(fixturePath(...parts));
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

/** A copy of the file's bytes, so typed views are aligned. */
function aligned(parts: string[]): ArrayBuffer {
  const bytes = readFixture(...parts);
  return bytes.slice().buffer;
}

export const readF32 = (...parts: string[]) => new Float32Array(aligned(parts));
export const readI8 = (...parts: string[]) => new Int8Array(aligned(parts));
export const readU8 = (...parts: string[]) => new Uint8Array(aligned(parts));
export const readI32 = (...parts: string[]) => new Int32Array(aligned(parts));

export function readJson<T = any>(...parts: string[]): T {
  return JSON.parse(readFileSync(fixturePath(...parts), "utf8")) as T;
}

export function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** The `cases` of a golden manifest (`ternpack-golden-v1`). */
export interface GoldenCase {
  name: string;
  shape: number[];
  dtype?: string;
  params: Record<string, any>;
  files: Record<string, { file: string; dtype?: string; shape?: number[]; bytes: number; sha256: string; note?: string }>;
  checks?: Record<string, any>;
  info?: Record<string, any>;
}

export function goldenCases(folder: string): GoldenCase[] {
  return readJson<{ cases: GoldenCase[] }>(folder, "manifest.json").cases;
}
