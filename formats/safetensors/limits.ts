/**
 * Safety limits for reading safetensors files and sharded indexes, each with its reason.
 * Callers may lower them (e.g. for untrusted uploads); the header cap may not exceed the crate's.
 */
import { fail, type ErrorContext } from "../../src/core/errors.js";

/** The Rust crate's `MAX_HEADER_SIZE`: larger headers are rejected as HEADER_TOO_LARGE. */
export const MAX_HEADER_BYTES = 100_000_000;

export interface SafetensorsLimits {
  /** Header JSON bytes (N); default and maximum is the crate's 100,000,000. */
  maxHeaderBytes: number;
  /** Tensors per file: a million covers the largest public checkpoints by far. */
  maxTensors: number;
  /** Dimensions per tensor: real weights have at most 5; 8 leaves room. */
  maxRank: number;
  /** UTF-8 bytes of a tensor name: HF names are < 200 bytes. */
  maxNameBytes: number;
  /** JSON nesting depth (unknown fields may nest); keeps the recursive parser off the stack limit. */
  maxJsonDepth: number;
  /** `model.safetensors.index.json` bytes: the Hub's streaming limit for index files. */
  maxIndexBytes: number;
  /** Distinct shard files named by one index. */
  maxShards: number;
}

export const DEFAULT_LIMITS: Readonly<SafetensorsLimits> = Object.freeze({
  maxHeaderBytes: MAX_HEADER_BYTES,
  maxTensors: 1_000_000,
  maxRank: 8,
  maxNameBytes: 1024,
  maxJsonDepth: 64,
  maxIndexBytes: 250_000_000,
  maxShards: 100_000,
});

/** Defaults overridden by `overrides`; every limit must be a positive safe integer. */
export function resolveLimits(overrides: Partial<SafetensorsLimits> = {}): SafetensorsLimits {
  const limits = { ...DEFAULT_LIMITS, ...overrides };
  for (const [key, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value) || value < 1) {
      fail("USAGE", { detail: `safetensors limit ${key} must be a positive integer, got ${value}` });
    }
  }
  if (limits.maxHeaderBytes > MAX_HEADER_BYTES) {
    fail("USAGE", { detail: `maxHeaderBytes ${limits.maxHeaderBytes} exceeds the format's ${MAX_HEADER_BYTES}` });
  }
  return limits;
}

const encoder = new TextEncoder();

/** Tensor names: non-empty, no NUL, at most `maxNameBytes` UTF-8 bytes (LIMIT_EXCEEDED otherwise). */
export function checkTensorName(name: string, limits: SafetensorsLimits, ctx: ErrorContext): void {
  const bad = (detail: string): never => fail("LIMIT_EXCEEDED", { ...ctx, tensor: name, detail });
  if (name.length === 0) bad("tensor name is empty");
  if (name.includes("\0")) bad("tensor name contains a NUL character");
  // A UTF-16 unit encodes to at most 3 UTF-8 bytes, so short names need no encoding.
  if (name.length * 3 > limits.maxNameBytes) {
    const bytes = encoder.encode(name).length;
    if (bytes > limits.maxNameBytes) bad(`tensor name is ${bytes} bytes, limit ${limits.maxNameBytes}`);
  }
}
