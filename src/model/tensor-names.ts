/**
 * HF tensor name → GGUF tensor name, role and expected shape, per model family (models.md §2).
 * One table: global tensors, then the per-layer ones (`model.layers.N.` → `blk.N.`).
 */
import { fail } from "../core/errors.js";
import type { QkPermutation } from "./permute.js";
import type { ModelFamily, ModelSpec } from "./spec.js";

/**
 * ternary: the linear projections inside blocks; embedding: token_embd; output: the untied head;
 * norm: RMSNorm weights (kept F32); other: tensors kept dense for another reason (modules_to_not_convert).
 */
export type TensorRole = "ternary" | "embedding" | "output" | "norm" | "other";

export const EMBEDDING = "model.embed_tokens.weight";
export const LM_HEAD = "lm_head.weight";
export const TOKEN_EMBD = "token_embd.weight";
export const OUTPUT = "output.weight";

interface Slot {
  hf: string;
  gguf: string;
  role: TensorRole;
  shape: (s: ModelSpec) => number[];
  /** How the shape follows from config fields, for SHAPE_MISMATCH messages. */
  shapeText: string;
  /** Rows to permute for arch `llama`: q uses n_head, k uses n_head_kv. */
  permute?: "q" | "k";
  /** Families that have this tensor (default: all). */
  families?: readonly ModelFamily[];
}

const ONE_BIT_LLM: readonly ModelFamily[] = ["bitnet-1bitllm"];
const TWO_B_4T: readonly ModelFamily[] = ["bitnet-2b4t"];
const hidden = (s: ModelSpec) => [s.hidden];
const ffn = (s: ModelSpec) => [s.ffn];
const q = (s: ModelSpec) => s.heads * s.headDim;
const kv = (s: ModelSpec) => s.kvHeads * s.headDim;

const GLOBAL_SLOTS: readonly Slot[] = [
  { hf: EMBEDDING, gguf: TOKEN_EMBD, role: "embedding", shape: (s) => [s.vocab, s.hidden], shapeText: "[vocab_size, hidden_size]" },
  { hf: "model.norm.weight", gguf: "output_norm.weight", role: "norm", shape: hidden, shapeText: "[hidden_size]" },
  { hf: LM_HEAD, gguf: OUTPUT, role: "output", shape: (s) => [s.vocab, s.hidden], shapeText: "[vocab_size, hidden_size]" },
];

const LAYER_SLOTS: readonly Slot[] = [
  { hf: "input_layernorm.weight", gguf: "attn_norm.weight", role: "norm", shape: hidden, shapeText: "[hidden_size]" },
  { hf: "self_attn.q_proj.weight", gguf: "attn_q.weight", role: "ternary", shape: (s) => [q(s), s.hidden], shapeText: "[num_attention_heads × head_dim, hidden_size]", permute: "q" },
  { hf: "self_attn.k_proj.weight", gguf: "attn_k.weight", role: "ternary", shape: (s) => [kv(s), s.hidden], shapeText: "[num_key_value_heads × head_dim, hidden_size]", permute: "k" },
  { hf: "self_attn.v_proj.weight", gguf: "attn_v.weight", role: "ternary", shape: (s) => [kv(s), s.hidden], shapeText: "[num_key_value_heads × head_dim, hidden_size]" },
  { hf: "self_attn.o_proj.weight", gguf: "attn_output.weight", role: "ternary", shape: (s) => [s.hidden, q(s)], shapeText: "[hidden_size, num_attention_heads × head_dim]" },
  { hf: "self_attn.inner_attn_ln.weight", gguf: "attn_sub_norm.weight", role: "norm", shape: hidden, shapeText: "[hidden_size]", families: ONE_BIT_LLM },
  { hf: "self_attn.attn_sub_norm.weight", gguf: "attn_sub_norm.weight", role: "norm", shape: hidden, shapeText: "[hidden_size]", families: TWO_B_4T },
  { hf: "post_attention_layernorm.weight", gguf: "ffn_norm.weight", role: "norm", shape: hidden, shapeText: "[hidden_size]" },
  { hf: "mlp.gate_proj.weight", gguf: "ffn_gate.weight", role: "ternary", shape: (s) => [s.ffn, s.hidden], shapeText: "[intermediate_size, hidden_size]" },
  { hf: "mlp.up_proj.weight", gguf: "ffn_up.weight", role: "ternary", shape: (s) => [s.ffn, s.hidden], shapeText: "[intermediate_size, hidden_size]" },
  { hf: "mlp.down_proj.weight", gguf: "ffn_down.weight", role: "ternary", shape: (s) => [s.hidden, s.ffn], shapeText: "[hidden_size, intermediate_size]" },
  { hf: "mlp.ffn_layernorm.weight", gguf: "ffn_sub_norm.weight", role: "norm", shape: ffn, shapeText: "[intermediate_size]", families: ONE_BIT_LLM },
  { hf: "mlp.ffn_sub_norm.weight", gguf: "ffn_sub_norm.weight", role: "norm", shape: ffn, shapeText: "[intermediate_size]", families: TWO_B_4T },
];

const LAYER_PREFIX = /^model\.layers\.(0|[1-9]\d*)\.(.+)$/;
const WEIGHT_SCALE_SUFFIX = "_scale";

/** What one HF tensor name is. */
export type TensorNameMapping =
  | {
      kind: "tensor";
      gguf: string;
      role: TensorRole;
      layer: number | undefined;
      expectedShape: number[];
      shapeText: string;
      permute: QkPermutation | undefined;
    }
  /** `<module>.weight_scale`: consumed into the scale of `owner`, never emitted. */
  | { kind: "weight_scale"; owner: string }
  | { kind: "skipped"; reason: string };

const hasSlot = (slot: Slot, family: ModelFamily) => slot.families === undefined || slot.families.includes(family);

function fromSlot(spec: ModelSpec, slot: Slot, layer: number | undefined): TensorNameMapping {
  const permute = spec.arch === "llama" && slot.permute !== undefined ? { heads: slot.permute === "q" ? spec.heads : spec.kvHeads } : undefined;
  const gguf = layer === undefined ? slot.gguf : `blk.${layer}.${slot.gguf}`;
  return { kind: "tensor", gguf, role: slot.role, layer, expectedShape: slot.shape(spec), shapeText: slot.shapeText, permute };
}

/** The mapping of `name`, or undefined when the family has no GGUF tensor for it. */
export function lookupTensorName(spec: ModelSpec, name: string): TensorNameMapping | undefined {
  if (name.endsWith(".rotary_emb.inv_freq")) return { kind: "skipped", reason: "RoPE inverse frequencies are recomputed by the runtime" };
  if (name.endsWith(`.weight${WEIGHT_SCALE_SUFFIX}`)) return { kind: "weight_scale", owner: name.slice(0, -WEIGHT_SCALE_SUFFIX.length) };
  const global = GLOBAL_SLOTS.find((s) => s.hf === name);
  if (global) return fromSlot(spec, global, undefined);
  const m = LAYER_PREFIX.exec(name);
  if (!m) return undefined;
  const layer = Number(m[1]);
  const slot = LAYER_SLOTS.find((s) => s.hf === m[2] && hasSlot(s, spec.family));
  return slot && layer < spec.layers ? fromSlot(spec, slot, layer) : undefined;
}

/** Like lookupTensorName, failing UNSUPPORTED_ARCH for a name with no GGUF counterpart. */
export function mapTensorName(spec: ModelSpec, name: string): TensorNameMapping {
  return lookupTensorName(spec, name) ?? fail("UNSUPPORTED_ARCH", { tensor: name, detail: unmappedDetail(spec, [name]) });
}

export function unmappedDetail(spec: ModelSpec, names: readonly string[]): string {
  const shown = names.slice(0, 5).map((n) => `'${n}'`).join(", ");
  const more = names.length > 5 ? ` and ${names.length - 5} more` : "";
  return `${names.length === 1 ? "tensor has" : `${names.length} tensors have`} no GGUF name for ${spec.hfArchitecture} (arch ${spec.arch}, ${spec.layers} layers): ${shown}${more}`;
}

/** HF names the checkpoint must hold besides the embedding/head pair: output norm, then every layer's tensors. */
export function requiredTensorNames(spec: ModelSpec): string[] {
  const names = ["model.norm.weight"];
  const slots = LAYER_SLOTS.filter((s) => hasSlot(s, spec.family));
  for (let layer = 0; layer < spec.layers; layer++) for (const s of slots) names.push(`model.layers.${layer}.${s.hf}`);
  return names;
}

/** `<module>.weight` → `<module>.weight_scale`. */
export function weightScaleName(weight: string): string {
  return `${weight}${WEIGHT_SCALE_SUFFIX}`;
}
