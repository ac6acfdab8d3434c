/** Small GGUFs and checkpoints for the verifyGguf tests, built with ternpack's packers and writers. */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { GGML_TYPE, GGUF_VALUE_TYPE, writeGgufFile, type GgufKvInput, type GgufTensorInput } from "../../formats/gguf/index.js";
import { getLayout, type TlParams } from "../../formats/layouts/index.js";
import { blockScalesFromTensorScale } from "../../formats/layouts/tq-layout.js";
import { writeSafetensors, type TensorToWrite } from "../../formats/safetensors/index.js";
import { permuteQkRows } from "../../src/model/index.js";
import { tlKvs } from "../../src/pipeline/metadata.js";
import { absmeanTernarize } from "../../src/quant/index.js";
import { gaussianLike } from "../../src/core/prng.js";

export type Ternary = "tq1_0" | "tq2_0" | "i2_s" | "tl1" | "tl2";
const TYPE_OF: Record<Ternary, number> = { tq1_0: GGML_TYPE.TQ1_0, tq2_0: GGML_TYPE.TQ2_0, i2_s: GGML_TYPE.I2_S, tl1: GGML_TYPE.TL1, tl2: GGML_TYPE.TL2 };

/** Deterministic gaussian-like weights (LCG, sum of four uniforms), scaled to ~0.05. */
export function randomWeights(n: number, seed: number): Float32Array {
  return gaussianLike(n, seed, 0.05);
}

export interface TernaryTensorSpec {
  name: string;
  layout: Ternary;
  M: number;
  K: number;
  codes: Int8Array;
  sigma: number;
  tl?: TlParams;
}

/** Per-tensor absmean codes of random weights (optionally with a zeroed element range). */
export function absmeanSpec(name: string, layout: Ternary, M: number, K: number, seed: number, extra: { tl?: TlParams; zero?: [number, number] } = {}): TernaryTensorSpec {
  const values = randomWeights(M * K, seed);
  if (extra.zero) values.fill(0, ...extra.zero);
  const q = absmeanTernarize(values, [M, K], { granularity: "tensor" });
  return { name, layout, M, K, codes: q.codes, sigma: q.scales[0]!, ...(extra.tl ? { tl: extra.tl } : {}) };
}

/** The payload the converter writes: TQ stores σ in non-zero blocks and 0 in all-zero ones. */
export function packSpec(t: TernaryTensorSpec): GgufTensorInput {
  const shape = [t.M, t.K];
  const tq = t.layout === "tq1_0" || t.layout === "tq2_0";
  const scales = tq ? blockScalesFromTensorScale(t.codes, shape, t.sigma) : Float32Array.of(t.sigma);
  const data = getLayout(t.layout).pack!({ shape, codes: t.codes, scales }, t.tl ? { tl: t.tl } : undefined);
  return { name: t.name, type: TYPE_OF[t.layout], dims: [t.K, t.M], data };
}

export function f32Tensor(name: string, dims: number[], values: Float32Array): GgufTensorInput {
  return { name, type: GGML_TYPE.F32, dims, data: new Uint8Array(values.buffer, values.byteOffset, values.byteLength) };
}

export const str = (value: string): GgufKvInput => ({ type: GGUF_VALUE_TYPE.STRING, value });
export const u32 = (value: number): GgufKvInput => ({ type: GGUF_VALUE_TYPE.UINT32, value });

/** The converter's own `ternpack.tl*.*` KVs (src/pipeline/metadata.ts) for TL tensors packed with `params`. */
export function recordedTilingKvs(layout: "tl1" | "tl2", tensors: string[], params: TlParams): [string, GgufKvInput][] {
  return tlKvs(tensors.map((tensor) => ({ tensor, layout, params, source: "explicit" }))).map(({ key, ...kv }) => [key, kv as GgufKvInput]);
}

export async function writeGguf(path: string, arch: string, tensors: GgufTensorInput[], kv: [string, GgufKvInput][] = []): Promise<void> {
  await writeGgufFile(path, { kv: [["general.architecture", str(arch)], ...kv], tensors });
}

/** A copy of `from` at `to` with `edit` applied to its bytes. */
export async function editedCopy(from: string, to: string, edit: (bytes: Uint8Array) => void): Promise<void> {
  const bytes = new Uint8Array(await readFile(from));
  edit(bytes);
  await writeFile(to, bytes);
}

export const f32Bytes = (v: Float32Array) => new Uint8Array(v.buffer, v.byteOffset, v.byteLength);

export async function writeCheckpoint(path: string, tensors: Record<string, { shape: number[]; values: Float32Array }>): Promise<void> {
  const list: TensorToWrite[] = Object.entries(tensors).map(([name, t]) => ({ name, dtype: "F32", shape: t.shape, data: f32Bytes(t.values) }));
  await writeSafetensors(path, list);
}

/** A one-layer Llama small enough for tests: hidden 256, 2 heads of 128, 1 KV head, FFN 256, vocab 16. */
export const TINY_LLAMA_CONFIG = {
  architectures: ["LlamaForCausalLM"],
  model_type: "llama",
  hidden_size: 256,
  intermediate_size: 256,
  num_hidden_layers: 1,
  num_attention_heads: 2,
  num_key_value_heads: 1,
  vocab_size: 16,
  max_position_embeddings: 64,
  rms_norm_eps: 1e-5,
  rope_theta: 10000,
  tie_word_embeddings: true,
  torch_dtype: "float32",
};

export interface Projection {
  hf: string;
  gguf: string;
  shape: [number, number];
  /** Heads of llama.cpp's q/k row permutation. */
  heads?: number;
  /** Stored as exactly σ·t (the converter detects it instead of running absmean). */
  ternaryTimes?: number;
}

const L0 = "model.layers.0.";
export const TINY_PROJECTIONS: Projection[] = [
  { hf: `${L0}self_attn.q_proj.weight`, gguf: "blk.0.attn_q.weight", shape: [256, 256], heads: 2 },
  { hf: `${L0}self_attn.k_proj.weight`, gguf: "blk.0.attn_k.weight", shape: [128, 256], heads: 1 },
  { hf: `${L0}self_attn.v_proj.weight`, gguf: "blk.0.attn_v.weight", shape: [128, 256], ternaryTimes: Math.fround(0.02) },
  { hf: `${L0}self_attn.o_proj.weight`, gguf: "blk.0.attn_output.weight", shape: [256, 256] },
  { hf: `${L0}mlp.gate_proj.weight`, gguf: "blk.0.ffn_gate.weight", shape: [256, 256] },
  { hf: `${L0}mlp.up_proj.weight`, gguf: "blk.0.ffn_up.weight", shape: [256, 256] },
  { hf: `${L0}mlp.down_proj.weight`, gguf: "blk.0.ffn_down.weight", shape: [256, 256] },
];

const NORMS: [string, string][] = [
  ["model.norm.weight", "output_norm.weight"],
  [`${L0}input_layernorm.weight`, "blk.0.attn_norm.weight"],
  [`${L0}post_attention_layernorm.weight`, "blk.0.ffn_norm.weight"],
];

export type Weights = Record<string, { shape: number[]; values: Float32Array }>;

/** The tiny Llama's weights: random projections (v_proj exactly σ·t), unit norms, a random embedding. */
export function tinyLlamaWeights(): Weights {
  const w: Weights = { "model.embed_tokens.weight": { shape: [16, 256], values: randomWeights(16 * 256, 1) } };
  for (const [hf] of NORMS) w[hf] = { shape: [256], values: new Float32Array(256).fill(1) };
  TINY_PROJECTIONS.forEach((p, i) => {
    const values = randomWeights(p.shape[0] * p.shape[1], 100 + i);
    if (p.ternaryTimes !== undefined) values.forEach((v, j) => (values[j] = v > 0.03 ? p.ternaryTimes! : v < -0.03 ? -p.ternaryTimes! : 0));
    w[p.hf] = { shape: p.shape, values };
  });
  return w;
}

/** config.json + model.safetensors in `folder` (created). */
export async function writeModelFolder(folder: string, weights: Weights): Promise<void> {
  await mkdir(folder, { recursive: true });
  await writeFile(join(folder, "config.json"), JSON.stringify(TINY_LLAMA_CONFIG));
  await writeCheckpoint(join(folder, "model.safetensors"), weights);
}

/**
 * The GGUF a converter writes for these weights, spelled out: q/k rows permuted (unless
 * `permute: false`), then σ·t projections keep t and σ, the others get per-tensor absmean.
 */
export function tinyLlamaGgufTensors(weights: Weights, layout: Ternary, opts: { permute?: boolean; tl?: TlParams } = {}): GgufTensorInput[] {
  const tl = opts.tl ? { tl: opts.tl } : {};
  const embd = weights["model.embed_tokens.weight"]!;
  const out: GgufTensorInput[] = [f32Tensor("token_embd.weight", [256, 16], embd.values)];
  for (const [hf, gguf] of NORMS) out.push(f32Tensor(gguf, [256], weights[hf]!.values));
  for (const p of TINY_PROJECTIONS) {
    const [M, K] = p.shape;
    const raw = weights[p.hf]!.values;
    const values = p.heads !== undefined && opts.permute !== false ? permuteQkRows(raw, M, p.heads) : raw;
    if (p.ternaryTimes !== undefined) {
      out.push(packSpec({ name: p.gguf, layout, M, K, codes: Int8Array.from(values, (v) => Math.sign(v)), sigma: p.ternaryTimes, ...tl }));
    } else {
      const q = absmeanTernarize(values, p.shape, { granularity: "tensor" });
      out.push(packSpec({ name: p.gguf, layout, M, K, codes: q.codes, sigma: q.scales[0]!, ...tl }));
    }
  }
  return out;
}
