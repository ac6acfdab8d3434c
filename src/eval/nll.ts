/**
 * Teacher-forced negative log-likelihood over one window: logits after token i score token i+1
 * (i = 0..n−2), natural log, float64 log-softmax of the float32 logits — transformers' protocol in
 * the reference eval_nll.json.
 */
import { fail } from "../core/errors.js";
import { createSession, type ForwardOptions } from "./forward.js";
import type { EvalModel } from "./weights.js";

export interface NllResult {
  /** −log p(ids[i+1] | ids[0..i]) for i = 0..n−2. */
  perToken: Float64Array;
  mean: number;
  perplexity: number;
}

/** −log softmax(logits)[target], in float64. */
export function tokenNll(logits: Float32Array, target: number): number {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) if (logits[i]! > max) max = logits[i]!;
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += Math.exp(logits[i]! - max);
  return Math.log(sum) + max - logits[target]!;
}

export function negativeLogLikelihood(model: EvalModel, ids: readonly number[], options: ForwardOptions = {}): NllResult {
  if (ids.length < 2) fail("USAGE", { detail: `scoring needs at least 2 tokens, got ${ids.length}` });
  const session = createSession(model, { ...options, maxPositions: options.maxPositions ?? ids.length });
  const perToken = new Float64Array(ids.length - 1);
  let total = 0;
  for (let i = 0; i + 1 < ids.length; i++) {
    perToken[i] = tokenNll(session.step(ids[i]!), ids[i + 1]!);
    total += perToken[i]!;
  }
  const mean = total / perToken.length;
  return { perToken, mean, perplexity: Math.exp(mean) };
}
