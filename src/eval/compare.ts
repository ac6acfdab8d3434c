/**
 * Comparing a quantized model with its original the way llama.cpp's `perplexity --kl-divergence`
 * does: both teacher-forced over the same token windows, per-token NLL under each, KL divergence
 * of the quantized distribution from the original's, top-1 agreement; plus greedy continuations
 * of a few prompts compared step by step.
 */
import { fail } from "../core/errors.js";
import { createSession, greedy } from "./forward.js";
import { summarizeTokenStats, TokenStats, type TokenStatsSummary } from "./logit-stats.js";
import type { EvalModel } from "./weights.js";
import { DEFAULT_CTX, scoredCount, tokenWindows, type ScoringProtocol, type WindowOptions } from "./windows.js";

/** ctx: window length in tokens (default 512); protocol "all" (default) or "llama.cpp"; bos for the latter. */
export interface CompareOptions extends WindowOptions {
  /** Prompts (token ids) whose greedy continuations are compared; default: see defaultPrompts. */
  prompts?: readonly (readonly number[])[];
  /** Greedy tokens generated per prompt (default 16). */
  greedyTokens?: number;
}

export interface GreedyAgreement {
  prompt: number[];
  original: number[];
  quantized: number[];
  /** Index of the first generated token that differs; null when all agree. */
  firstDivergence: number | null;
  /** Fraction of generated positions holding the same token. */
  fractionEqual: number;
}

export interface CompareResult extends TokenStatsSummary {
  ctx: number;
  protocol: ScoringProtocol;
  windows: number;
  greedy: GreedyAgreement[];
}

/** Three 8-token prompts cut from the text at its start, a third and two thirds in. */
export function defaultPrompts(ids: readonly number[], length = 8): number[][] {
  const starts = [0, Math.floor(ids.length / 3), Math.floor((2 * ids.length) / 3)];
  return starts.map((s) => ids.slice(s, s + length)).filter((p) => p.length > 0);
}

function checkSameShape(a: EvalModel, b: EvalModel): void {
  if (a.config.vocab !== b.config.vocab) fail("SHAPE_MISMATCH", { detail: `vocabularies differ: ${a.config.vocab} vs ${b.config.vocab}` });
}

/** Teacher-forced statistics of `quantized` against `original` over `ids`. */
export function compareTeacherForced(original: EvalModel, quantized: EvalModel, ids: readonly number[], options: WindowOptions = {}): TokenStats {
  checkSameShape(original, quantized);
  const windows = tokenWindows(ids, options);
  const stats = new TokenStats(scoredCount(windows), original.config.vocab);
  for (const { ids: w, firstScored } of windows) {
    const a = createSession(original, { maxPositions: w.length });
    const b = createSession(quantized, { maxPositions: w.length });
    for (let i = 0; i + 1 < w.length; i++) {
      const la = a.step(w[i]!);
      const lb = b.step(w[i]!);
      if (i >= firstScored) stats.add(la, lb, w[i + 1]!);
    }
  }
  return stats;
}

export function greedyAgreement(original: EvalModel, quantized: EvalModel, prompt: readonly number[], count: number): GreedyAgreement {
  if (!Number.isSafeInteger(count) || count < 1) fail("USAGE", { detail: `greedyTokens must be a positive integer, got ${count}` });
  const a = greedy(original, prompt, count);
  const b = greedy(quantized, prompt, count);
  const diverge = a.findIndex((t, i) => t !== b[i]);
  const equal = a.filter((t, i) => t === b[i]).length;
  return { prompt: [...prompt], original: a, quantized: b, firstDivergence: diverge === -1 ? null : diverge, fractionEqual: equal / count };
}

export function compareModels(original: EvalModel, quantized: EvalModel, ids: readonly number[], options: CompareOptions = {}): CompareResult {
  const windowOptions = { ctx: options.ctx ?? DEFAULT_CTX, protocol: options.protocol ?? "all", bos: options.bos };
  const summary = summarizeTokenStats(compareTeacherForced(original, quantized, ids, windowOptions));
  const prompts = options.prompts ?? defaultPrompts(ids);
  const count = options.greedyTokens ?? 16;
  return {
    ...summary,
    ctx: windowOptions.ctx,
    protocol: windowOptions.protocol,
    windows: tokenWindows(ids, windowOptions).length,
    greedy: prompts.map((p) => greedyAgreement(original, quantized, p, count)),
  };
}
