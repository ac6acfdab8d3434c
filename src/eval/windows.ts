/**
 * Splitting a token stream into evaluation windows, each run with a fresh KV cache; within a
 * window the logits after token i score token i+1. Two protocols:
 * - "all" (default; transformers' single-window protocol of the reference NLLs): consecutive
 *   windows of `ctx` tokens, the last one possibly shorter, every position scored;
 * - "llama.cpp" (`llama-perplexity`): ⌊n/ctx⌋ full windows (at least 2), token 0 of each replaced
 *   by BOS, only positions ctx/2 .. ctx−2 scored.
 */
import { fail } from "../core/errors.js";

export const DEFAULT_CTX = 512;

export type ScoringProtocol = "all" | "llama.cpp";

export interface ScoredWindow {
  ids: number[];
  /** Logits after positions firstScored .. ids.length − 2 are scored. */
  firstScored: number;
}

export interface WindowOptions {
  ctx?: number;
  protocol?: ScoringProtocol;
  /** BOS id forced at the start of every llama.cpp-protocol window (none if undefined). */
  bos?: number;
}

export function tokenWindows(ids: readonly number[], options: WindowOptions = {}): ScoredWindow[] {
  const { ctx = DEFAULT_CTX, protocol = "all", bos } = options;
  if (!Number.isSafeInteger(ctx) || ctx < 2) fail("USAGE", { detail: `ctx must be an integer ≥ 2, got ${ctx}` });
  if (protocol === "llama.cpp") {
    if (ids.length < 2 * ctx) fail("USAGE", { detail: `the llama.cpp protocol needs at least 2·ctx = ${2 * ctx} tokens, the text has ${ids.length}` });
    const out: ScoredWindow[] = [];
    for (let start = 0; start + ctx <= ids.length; start += ctx) {
      const w = ids.slice(start, start + ctx);
      if (bos !== undefined) w[0] = bos;
      out.push({ ids: w, firstScored: Math.floor(ctx / 2) });
    }
    return out;
  }
  if (protocol !== "all") fail("USAGE", { detail: `protocol must be "all" or "llama.cpp", got ${JSON.stringify(protocol)}` });
  if (ids.length < 2) fail("USAGE", { detail: `the text has ${ids.length} token(s); scoring needs at least 2` });
  const out: ScoredWindow[] = [];
  for (let start = 0; start + 1 < ids.length; start += ctx) out.push({ ids: ids.slice(start, start + ctx), firstScored: 0 });
  return out;
}

/** Tokens scored over all windows. */
export const scoredCount = (windows: readonly ScoredWindow[]) => windows.reduce((n, w) => n + w.ids.length - 1 - w.firstScored, 0);
