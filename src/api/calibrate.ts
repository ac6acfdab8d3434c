/**
 * `collectImatrix(options)`: an importance matrix for a Hugging Face checkpoint, from running its
 * float32 forward pass over a calibration text (llama.cpp `imatrix` semantics: per-input-column
 * mean of x² for every block projection, under GGUF names). Save it with writeGgufImatrix.
 */
import { collectModelImatrix } from "../eval/calibrate.js";
import { loadEvalTokenizer } from "../eval/model-file.js";
import { loadSafetensorsModel } from "../eval/load-safetensors.js";
import type { ImportanceMatrix } from "../quant/imatrix/index.js";

export interface CollectImatrixOptions {
  /** A safetensors checkpoint folder. */
  model: string;
  /** The calibration text itself (tokenized with BOS prepended). */
  text: string;
  /** Tokens per chunk (default 512). */
  ctx?: number;
  /** Use at most this many tokens of the text. */
  maxTokens?: number;
  /** tokenizer.json (default `<model>/tokenizer.json`). */
  tokenizer?: string;
  /** Calibration file name(s) recorded as `imatrix.datasets`. */
  datasets?: readonly string[];
}

export async function collectImatrix(options: CollectImatrixOptions): Promise<ImportanceMatrix> {
  const tokenizer = await loadEvalTokenizer([options.model], options.tokenizer);
  const model = await loadSafetensorsModel(options.model);
  return collectModelImatrix(model, tokenizer.encode(options.text), { ctx: options.ctx, maxTokens: options.maxTokens, datasets: options.datasets });
}
