/**
 * A synthetic BF16 BitNet-b1.58-2B-4T-shaped checkpoint for bench/convert.mjs: the real layer
 * shapes (hidden 2560, FFN 6912, 20 heads, 5 KV heads, head_dim 128), a few layers, the small
 * vocabulary of the synthetic test model (so the bytes are almost all linear weights), two shards
 * with a model.safetensors.index.json, a config.json in the `BitNetForCausalLM` bf16 online form
 * (fixtures/models/bitnet-synth-2b4t-bf16/config.json with the sizes changed) and that model's
 * tokenizer files.
 *
 * Fast and deterministic: one seeded pool of finite BF16 values (xorshift32, bit masks only, no
 * float math) as large as the largest tensor plus 1 MiB; every tensor is a view into it at its own
 * even offset, so no two tensors hold the same bytes and memory stays at the pool's size.
 */
import { copyFile, mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeSafetensors } from "../dist/index.js";

const FIXTURE = fileURLToPath(new URL("../fixtures/models/bitnet-synth-2b4t-bf16/", import.meta.url));
const TOKENIZER_FILES = ["tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "generation_config.json"];

/** The 2B-4T sizes that matter for speed; `vocab` is the synthetic tokenizer's. */
export const SHAPE = { hidden: 2560, ffn: 6912, heads: 20, kvHeads: 5, headDim: 128, vocab: 2048 };

/** [name, shape] of every tensor, in HF naming. */
export function tensorShapes(layers) {
  const { hidden: h, ffn: f, kvHeads, headDim, vocab } = SHAPE;
  const kv = kvHeads * headDim;
  const out = [["model.embed_tokens.weight", [vocab, h]], ["model.norm.weight", [h]]];
  for (let i = 0; i < layers; i++) {
    const p = `model.layers.${i}.`;
    out.push(
      [`${p}input_layernorm.weight`, [h]],
      [`${p}post_attention_layernorm.weight`, [h]],
      [`${p}self_attn.attn_sub_norm.weight`, [h]],
      [`${p}mlp.ffn_sub_norm.weight`, [f]],
      [`${p}self_attn.q_proj.weight`, [h, h]],
      [`${p}self_attn.k_proj.weight`, [kv, h]],
      [`${p}self_attn.v_proj.weight`, [kv, h]],
      [`${p}self_attn.o_proj.weight`, [h, h]],
      [`${p}mlp.gate_proj.weight`, [f, h]],
      [`${p}mlp.up_proj.weight`, [f, h]],
      [`${p}mlp.down_proj.weight`, [h, f]],
    );
  }
  return out;
}

const elements = (shape) => shape.reduce((a, b) => a * b, 1);

/** Bytes of the checkpoint's tensor data for `layers` layers. */
export function checkpointBytes(layers) {
  return tensorShapes(layers).reduce((sum, [, shape]) => sum + elements(shape) * 2, 0);
}

/**
 * `bytes` (a multiple of 4) of BF16 values with sign, mantissa and the low two exponent bits random
 * and the exponent in 120..123: |x| in [2^-7, 2^-3), always finite, never ternary.
 */
function bf16Pool(bytes, seed) {
  const words = new Uint32Array(bytes / 4);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < words.length; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    words[i] = (s & 0x81ff81ff) | 0x3c003c00;
  }
  return new Uint8Array(words.buffer);
}

const SPREAD = 1 << 20;

/**
 * Writes the checkpoint into `folder` (created); returns its tensor data bytes and parameter count.
 * Shard 1: the embedding, the final norm and the first half of the layers; shard 2: the rest.
 */
export async function writeCheckpoint(folder, { layers, seed = 0x2b4f }) {
  await mkdir(folder, { recursive: true });
  const shapes = tensorShapes(layers);
  const largest = Math.max(...shapes.map(([, shape]) => elements(shape) * 2));
  const pool = bf16Pool(largest + SPREAD, seed);
  // 2 × an odd number: even offsets (whole BF16 values), distinct for every tensor index below 2^19.
  const tensors = shapes.map(([name, shape], j) => {
    const offset = (j * 2 * 40961) % SPREAD;
    return { name, dtype: "BF16", shape, data: pool.subarray(offset, offset + elements(shape) * 2) };
  });
  const inFirst = (name) => !name.startsWith("model.layers.") || Number(name.split(".")[2]) < Math.ceil(layers / 2);
  const shards = [tensors.filter((t) => inFirst(t.name)), tensors.filter((t) => !inFirst(t.name))];
  const names = shards.map((_, i) => `model-${String(i + 1).padStart(5, "0")}-of-${String(shards.length).padStart(5, "0")}.safetensors`);
  for (let i = 0; i < shards.length; i++) await writeSafetensors(join(folder, names[i]), shards[i], { format: "pt" });

  const weightMap = {};
  shards.forEach((shard, i) => shard.forEach((t) => (weightMap[t.name] = names[i])));
  const totalSize = tensors.reduce((sum, t) => sum + t.data.length, 0);
  const parameters = totalSize / 2;
  const index = { metadata: { total_parameters: parameters, total_size: totalSize }, weight_map: weightMap };
  await writeFile(join(folder, "model.safetensors.index.json"), JSON.stringify(index, null, 2));

  const config = JSON.parse(await readFile(join(FIXTURE, "config.json"), "utf8"));
  Object.assign(config, {
    hidden_size: SHAPE.hidden,
    intermediate_size: SHAPE.ffn,
    num_attention_heads: SHAPE.heads,
    num_key_value_heads: SHAPE.kvHeads,
    num_hidden_layers: layers,
    vocab_size: SHAPE.vocab,
  });
  await writeFile(join(folder, "config.json"), JSON.stringify(config, null, 2));
  for (const f of TOKENIZER_FILES) await copyFile(join(FIXTURE, f), join(folder, f));
  return { shards: names.map((n) => join(folder, n)), bytes: totalSize, parameters, tensors: tensors.length };
}
