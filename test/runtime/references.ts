/**
 * The recorded outputs of real runtimes (transformers, node-llama-cpp) in fixtures/runtime/
 * (byte copies from the shared models folder, see fixtures/runtime/README.md), typed as they are
 * stored, plus the comparisons the runtime tests make with them.
 */
import { expect } from "vitest";
import { readF32, readFixture, readJson, sha256 } from "../helpers/fixtures.js";

const decoder = new TextDecoder();

export const runtimeJson = <T>(model: string, file: string): T => readJson<T>("runtime", model, file);
export const runtimeText = (model: string, file: string): string => decoder.decode(readFixture("runtime", model, file));

/** A transformers last-position logits file, checked against the sha256 transformers' run recorded for it. */
export function hfLogits(model: string, prompt: { last_logits_file: string; last_logits_sha256: string }): Float32Array {
  expect(sha256(readFixture("runtime", model, prompt.last_logits_file)), prompt.last_logits_file).toBe(prompt.last_logits_sha256);
  return readF32("runtime", model, prompt.last_logits_file);
}

export const recordedLogits = (model: string, file: string): Float32Array => readF32("runtime", model, file);

/** tinystories-656k/hf_reference.json (transformers, F32, 32 greedy tokens). */
export interface TinyHfReference {
  prompts: { prompt: string; input_ids: number[]; greedy_ids: number[]; last_logits_file: string; last_logits_sha256: string }[];
}

/** tinystories-656k/nodellamacpp_<type>_greedy.json (node-llama-cpp on convert_hf_to_gguf.py's GGUF of that type). */
export interface TinyNodeReference {
  prompts: { prompt: string; text_ids: number[]; greedy_from_hf_ids: number[]; last_logits_file: string }[];
}

/** tinystories-656k/eval_nll.json (only the parts used). */
export interface EvalNll {
  text_sha256: string;
  transformers: { input_ids: number[]; mean_nll: number };
  llamacpp_f32: { node_llama_cpp_one_window_on_hf_ids: { mean_nll: number } };
  llamacpp_q8_0: { node_llama_cpp_one_window_on_hf_ids: { mean_nll: number } };
}

/** <bitnet model>/hf_reference.json: one entry per transformers variant (semantics), 16 greedy tokens. */
export interface BitnetHfReference {
  variants: Record<
    string,
    {
      description: { activation_int8_quant: boolean; ffn_activation: string };
      prompts: {
        prompt: string;
        input_ids: number[];
        greedy_ids: number[];
        greedy_step_top1_margins: number[];
        last_logits_file: string;
        last_logits_sha256: string;
        last_top5_ids: number[];
        last_top5_logits: number[];
      }[];
    }
  >;
}

/** <bitnet model>/llamacpp_greedy.json: per reference GGUF, what llama.cpp 2025 and node-llama-cpp produced. */
export interface BitnetRuntimeRecord {
  ggufs: Record<
    string,
    {
      tensor_types: string[];
      prompts: {
        node_llama_cpp: { greedy_from_hf_ids: number[]; last_logits_file: string };
        vs_transformers: Record<string, { node_hf_ids_first_mismatch: number | null; node_last_logits_max_abs_diff: number }>;
      }[];
    }
  >;
}

export function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

/** Index of the first differing element (null = equal up to the shorter length and same length). */
export function firstMismatch(a: readonly number[], b: readonly number[]): number | null {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? null : n;
}

/**
 * How many greedy steps are decided robustly: the steps before the first one whose recorded
 * top1−top2 margin is below `minMargin` (a near-tie a small logit perturbation can flip).
 */
export function decidedSteps(margins: readonly number[], minMargin: number): number {
  const k = margins.findIndex((m) => m < minMargin);
  return k < 0 ? margins.length : k;
}

/** Mean negative log-likelihood (natural log) of ids[i + 1] under rows[i], f64 log-softmax. */
export function meanNll(rows: readonly Float32Array[], ids: readonly number[]): number {
  let total = 0;
  for (let i = 0; i + 1 < ids.length; i++) {
    const row = rows[i]!;
    let max = -Infinity;
    for (let j = 0; j < row.length; j++) max = Math.max(max, row[j]!);
    let sum = 0;
    for (let j = 0; j < row.length; j++) sum += Math.exp(row[j]! - max);
    total += max + Math.log(sum) - row[ids[i + 1]!]!;
  }
  return total / (ids.length - 1);
}
