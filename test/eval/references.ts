/** Reference data for the evaluator tests: fixtures/eval/<model>/ (transformers 5.18.0 outputs). */
import { fixturePath, readF32, readJson } from "../helpers/fixtures.js";

export interface PromptReference {
  prompt: string;
  input_ids: number[];
  greedy_ids: number[];
  last_logits_file: string;
}

export interface VariantReference {
  description: { activation_int8_quant: boolean; ffn_activation: "silu" | "relu2"; compute_dtype: string };
  prompts: PromptReference[];
}

export const TINYSTORIES_FOLDER = fixturePath("tinystories-656k");
export const tinystories = readJson<{ prompts: PromptReference[] }>("eval", "tinystories-656k", "hf_reference.json");

export const BITNET_MODELS = ["bitnet-synth-1bitllm", "bitnet-synth-2b4t-bf16", "bitnet-synth-2b4t-packed"] as const;
export const bitnetFolder = (model: string) => fixturePath("models", model);

/** The float32 variants of a synthetic BitNet reference (bf16 compute is not emulated). */
export function bitnetVariants(model: string): [string, VariantReference][] {
  const ref = readJson<{ variants: Record<string, VariantReference> }>("eval", model, "hf_reference.json");
  return Object.entries(ref.variants).filter(([, v]) => v.description.compute_dtype === "float32");
}

export const referenceLogits = (model: string, file: string) => readF32("eval", model, file);

export function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}
