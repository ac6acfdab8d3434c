/**
 * `evaluate(options)`: how far a quantized model is from its original on a text — perplexity of
 * both, KL divergence per token, top-1 and greedy agreement (llama.cpp `perplexity
 * --kl-divergence` statistics, computed with the float32 reference forward pass).
 */
import { compareModels, type CompareResult } from "../eval/compare.js";
import { loadEvalModel, loadEvalTokenizer } from "../eval/model-file.js";
import type { ScoringProtocol } from "../eval/windows.js";

export type { CompareResult as EvaluateResult, GreedyAgreement } from "../eval/compare.js";
export type { KlSummary, MeanWithError, Perplexity } from "../eval/logit-stats.js";
export type { ScoringProtocol } from "../eval/windows.js";

export interface EvaluateOptions {
  /** The reference: a safetensors folder or a GGUF file. */
  original: string;
  /** The model under test: a safetensors folder or a GGUF file. */
  quantized: string;
  /** The evaluation text itself (tokenized with BOS prepended). */
  text: string;
  /** Window length in tokens (default 512). */
  ctx?: number;
  /** "all" (default: every position of each window scored) or "llama.cpp" (llama-perplexity's windows). */
  protocol?: ScoringProtocol;
  /** Prompts whose greedy continuations are compared (default: three 8-token slices of the text). */
  prompts?: readonly string[];
  /** Greedy tokens per prompt (default 16). */
  greedyTokens?: number;
  /** tokenizer.json to use (default: the one in whichever model is a folder, original first). */
  tokenizer?: string;
}

export async function evaluate(options: EvaluateOptions): Promise<CompareResult> {
  const tokenizer = await loadEvalTokenizer([options.original, options.quantized], options.tokenizer);
  const original = await loadEvalModel(options.original);
  const quantized = await loadEvalModel(options.quantized);
  return compareModels(original, quantized, tokenizer.encode(options.text), {
    ctx: options.ctx,
    protocol: options.protocol,
    bos: tokenizer.bosId,
    greedyTokens: options.greedyTokens,
    prompts: options.prompts?.map((p) => tokenizer.encode(p)),
  });
}
