/**
 * Dense float32 weights of a llama-family / BitNet model in HF row order (q/k not permuted), keyed
 * by their role in the graph, and their assembly from GGUF-named tensors.
 */
import { fail } from "../core/errors.js";
import type { EvalConfig } from "./config.js";

/** A linear layer's weight, row-major [rows = out_features, cols = in_features]. */
export interface Matrix {
  rows: number;
  cols: number;
  data: Float32Array;
  /** A projection the checkpoint keeps as a plain Linear (modules_to_not_convert): no activation quant. */
  dense?: boolean;
}

export interface LayerWeights {
  attnNorm: Float32Array;
  q: Matrix;
  k: Matrix;
  v: Matrix;
  o: Matrix;
  attnSubNorm: Float32Array | undefined;
  ffnNorm: Float32Array;
  gate: Matrix;
  up: Matrix;
  down: Matrix;
  ffnSubNorm: Float32Array | undefined;
}

export interface ModelWeights {
  /** [vocab, hidden] */
  tokenEmbd: Matrix;
  outputNorm: Float32Array;
  /** The head: `output.weight` when untied, else token_embd. */
  output: Matrix;
  layers: LayerWeights[];
}

export interface EvalModel {
  config: EvalConfig;
  weights: ModelWeights;
}

/** Looks a tensor up by GGUF name, as logical shape [rows, cols] or [n]; undefined when absent. */
export type TensorGetter = (ggufName: string) => LoadedTensor | undefined;

export interface LoadedTensor {
  shape: readonly number[];
  data: Float32Array;
  dense?: boolean;
}

function need(get: TensorGetter, name: string): LoadedTensor {
  return get(name) ?? fail("TENSOR_NOT_FOUND", { tensor: name, detail: "the evaluator needs this tensor" });
}

function matrix(get: TensorGetter, name: string, rows: number, cols: number): Matrix {
  const t = need(get, name);
  if (t.shape.length !== 2 || t.shape[0] !== rows || t.shape[1] !== cols) {
    fail("SHAPE_MISMATCH", { tensor: name, detail: `shape [${t.shape.join(", ")}], the config implies [${rows}, ${cols}]` });
  }
  return { rows, cols, data: t.data, dense: t.dense === true };
}

function vector(get: TensorGetter, name: string, n: number): Float32Array {
  const t = need(get, name);
  if (t.data.length !== n) fail("SHAPE_MISMATCH", { tensor: name, detail: `${t.data.length} values, the config implies ${n}` });
  return t.data;
}

/** Builds ModelWeights from GGUF-named tensors (`token_embd.weight`, `blk.N.attn_q.weight`, ...). */
export function assembleWeights(config: EvalConfig, get: TensorGetter): ModelWeights {
  const { hidden, ffn, vocab, heads, kvHeads, headDim } = config;
  const tokenEmbd = matrix(get, "token_embd.weight", vocab, hidden);
  const output = get("output.weight") === undefined ? tokenEmbd : matrix(get, "output.weight", vocab, hidden);
  const layers: LayerWeights[] = [];
  for (let l = 0; l < config.layers; l++) {
    const b = `blk.${l}.`;
    layers.push({
      attnNorm: vector(get, `${b}attn_norm.weight`, hidden),
      q: matrix(get, `${b}attn_q.weight`, heads * headDim, hidden),
      k: matrix(get, `${b}attn_k.weight`, kvHeads * headDim, hidden),
      v: matrix(get, `${b}attn_v.weight`, kvHeads * headDim, hidden),
      o: matrix(get, `${b}attn_output.weight`, hidden, heads * headDim),
      attnSubNorm: config.subNorms ? vector(get, `${b}attn_sub_norm.weight`, hidden) : undefined,
      ffnNorm: vector(get, `${b}ffn_norm.weight`, hidden),
      gate: matrix(get, `${b}ffn_gate.weight`, ffn, hidden),
      up: matrix(get, `${b}ffn_up.weight`, ffn, hidden),
      down: matrix(get, `${b}ffn_down.weight`, hidden, ffn),
      ffnSubNorm: config.subNorms ? vector(get, `${b}ffn_sub_norm.weight`, ffn) : undefined,
    });
  }
  return { tokenEmbd, outputNorm: vector(get, "output_norm.weight", hidden), output, layers };
}
