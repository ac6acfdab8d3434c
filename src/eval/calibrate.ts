/**
 * Collecting an importance matrix by running a model over calibration tokens: every block
 * projection's input (the forward pass's `onLinearInput`) goes to an ImatrixCollector under the
 * weight's GGUF name, every position of each chunk of `ctx` tokens counted. Unlike llama-imatrix,
 * which needs ≥ 2·ctx tokens, drops the partial tail and forces BOS at each chunk start, the last
 * chunk may be shorter and tokens are used as given (a short text still calibrates).
 */
import { fail } from "../core/errors.js";
import { ImatrixCollector, type ImportanceMatrix } from "../quant/imatrix/index.js";
import { createSession } from "./forward.js";
import type { EvalModel } from "./weights.js";
import { DEFAULT_CTX } from "./windows.js";

export interface CalibrateOptions {
  /** Tokens per chunk (default 512); each chunk starts a fresh KV cache. */
  ctx?: number;
  /** Stop after this many tokens (default: all). */
  maxTokens?: number;
  /** Calibration file name(s) recorded as provenance. */
  datasets?: readonly string[];
}

/** Σx² statistics of every projection input over `ids`, as an ImportanceMatrix. */
export function collectModelImatrix(model: EvalModel, ids: readonly number[], options: CalibrateOptions = {}): ImportanceMatrix {
  const ctx = options.ctx ?? DEFAULT_CTX;
  if (!Number.isSafeInteger(ctx) || ctx < 1) fail("USAGE", { detail: `ctx must be a positive integer, got ${ctx}` });
  const max = options.maxTokens ?? ids.length;
  if (!Number.isSafeInteger(max) || max < 1) fail("USAGE", { detail: `maxTokens must be a positive integer, got ${max}` });
  const tokens = ids.slice(0, max);
  if (tokens.length === 0) fail("USAGE", { detail: "no calibration tokens" });
  const collector = new ImatrixCollector({ datasets: options.datasets ?? [], chunkSize: ctx });
  const onLinearInput = (name: string, x: Float32Array) => collector.accumulate(name, x, x.length);
  for (let start = 0; start < tokens.length; start += ctx) {
    const chunk = tokens.slice(start, start + ctx);
    const session = createSession(model, { maxPositions: chunk.length, onLinearInput });
    for (const id of chunk) session.step(id);
    collector.endChunk();
  }
  return collector.finish();
}
