/**
 * Messages between the pool and its worker threads. Jobs go over as structured clones; their byte
 * arrays are transferred, not copied (a view into a larger buffer is copied out first, so that a
 * shared file buffer is never detached). Errors cross as plain data and become TernpackErrors
 * again on the main thread, with the same code and context.
 */
import { ERROR_CODES, TernpackError, type ErrorCode } from "../core/errors.js";
import type { VerifyStepOptions } from "./steps.js";
import type { TensorJob } from "./types.js";

export interface WorkerRequest {
  id: number;
  job: TensorJob;
  options: VerifyStepOptions;
}

export type SerializedError =
  | { kind: "ternpack"; code: ErrorCode; tensor?: string; file?: string; offset?: number; detail?: string }
  | { kind: "error"; name: string; message: string; stack?: string };

export type WorkerResponse = { id: number; ok: true; job: TensorJob } | { id: number; ok: false; error: SerializedError };

/** A job's checkpoint-bytes buffer, transferred back for the next read (read-buffers.ts) as soon as the job no longer needs it. */
export interface WorkerRecycle {
  recycled: ArrayBuffer;
}

export type WorkerMessage = WorkerResponse | WorkerRecycle;

export function serializeError(e: unknown): SerializedError {
  if (e instanceof TernpackError) return { kind: "ternpack", code: e.code, tensor: e.tensor, file: e.file, offset: e.offset, detail: e.detail };
  const err = e instanceof Error ? e : new Error(String(e));
  return { kind: "error", name: err.name, message: err.message, stack: err.stack };
}

export function deserializeError(s: SerializedError): Error {
  if (s.kind === "ternpack" && Object.hasOwn(ERROR_CODES, s.code)) {
    return new TernpackError(s.code, { tensor: s.tensor, file: s.file, offset: s.offset, detail: s.detail });
  }
  const e = new Error(s.kind === "error" ? s.message : `worker error ${JSON.stringify(s)}`);
  if (s.kind === "error") {
    e.name = s.name;
    if (s.stack) e.stack = s.stack;
  }
  return e;
}

/** A byte array that owns its whole buffer (copied out of a larger one if needed). */
function owned(bytes: Uint8Array): Uint8Array {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer ? bytes : bytes.slice();
}

const BYTE_FIELDS = ["data", "weightScale", "bytes", "cb158Bytes"] as const;

/** The job with its byte arrays made transferable, and the buffers to transfer. */
export function forTransfer(job: TensorJob): { job: TensorJob; transfer: ArrayBuffer[] } {
  const out: TensorJob = { ...job };
  const transfer: ArrayBuffer[] = [];
  for (const field of BYTE_FIELDS) {
    const bytes = out[field];
    if (bytes === undefined) continue;
    const own = owned(bytes);
    out[field] = own;
    transfer.push(own.buffer as ArrayBuffer);
  }
  return { job: out, transfer };
}
