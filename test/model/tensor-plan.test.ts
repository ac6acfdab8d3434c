import { describe, expect, it } from "vitest";
import { openCheckpoint } from "../../formats/safetensors/index.js";
import { parseModelConfig } from "../../src/model/config.js";
import { countParameters, planTensors, type SourceTensor, type TensorPlan } from "../../src/model/tensor-map.js";
import { fixturePath } from "../helpers/fixtures.js";
import { expectError, headersOf, rawConfig, referenceGguf, specOf, type ModelName, type ReferenceGguf } from "./helpers.js";

async function planOf(name: ModelName): Promise<TensorPlan> {
  const { tensors, aliases } = await headersOf(name);
  return planTensors(specOf(name), tensors, { aliases });
}

/** Names (in order), dims and element counts equal the converter's GGUF. */
function expectSameTensors(plan: TensorPlan, ref: ReferenceGguf): void {
  expect(plan.entries.map((e) => e.gguf)).toEqual(ref.tensors.map((t) => t.name));
  expect(plan.entries.map((e) => e.dims)).toEqual(ref.tensors.map((t) => t.ne));
  expect(countParameters(plan.entries)).toBe(ref.tensors.reduce((n, t) => n + t.n_elements, 0));
}

/** In a ternary reference every ternary-role tensor is TQ, norms F32, the embedding F16. */
function expectRolesMatchTypes(plan: TensorPlan, ref: ReferenceGguf, ternaryType: string): void {
  plan.entries.forEach((e, i) => {
    const type = ref.tensors[i]!.type;
    expect([e.gguf, e.role === "ternary"]).toEqual([e.gguf, type === ternaryType]);
    expect([e.gguf, e.keepF32]).toEqual([e.gguf, type === "F32"]);
    if (e.role === "embedding") expect(type).toBe("F16");
  });
}

describe("planTensors on the real checkpoints matches the reference GGUFs", () => {
  it("tinystories-656k: token_embd from the aliased lm_head.weight, no output, q/k permuted", async () => {
    const plan = await planOf("tinystories-656k");
    expectSameTensors(plan, referenceGguf("tinystories-656k", "gguf_tinystories-656k-f32.json"));
    const f16 = referenceGguf("tinystories-656k", "gguf_tinystories-656k-f16.json");
    expectSameTensors(plan, f16);
    plan.entries.forEach((e, i) => expect([e.gguf, e.keepF32 ? "F32" : "F16"]).toEqual([e.gguf, f16.tensors[i]!.type]));
    const embd = plan.entries.find((e) => e.gguf === "token_embd.weight")!;
    expect(embd).toMatchObject({ source: "lm_head.weight", role: "embedding", shape: [2048, 128], dims: [128, 2048] });
    const perm = Object.fromEntries(plan.entries.map((e) => [e.gguf, e.permute?.heads]));
    expect(perm["blk.0.attn_q.weight"]).toBe(8);
    expect(perm["blk.1.attn_k.weight"]).toBe(4);
    expect(plan.entries.filter((e) => e.permute).map((e) => e.gguf)).toEqual(["blk.0.attn_k.weight", "blk.0.attn_q.weight", "blk.1.attn_k.weight", "blk.1.attn_q.weight"]);
    expect(plan.warnings).toEqual([]);
  });

  it("tinystories-656k: the stock converter's as-is output is what ternpack avoids", async () => {
    const plan = await planOf("tinystories-656k");
    const asis = referenceGguf("tinystories-656k", "gguf_tinystories-656k-f32-asis-UNLOADABLE.json").tensors.map((t) => t.name);
    expect(asis).toContain("output.weight");
    expect(asis).not.toContain("token_embd.weight");
    const ours = plan.entries.map((e) => e.gguf);
    expect(ours).not.toContain("output.weight");
    expect(ours.map((n) => (n === "token_embd.weight" ? "output.weight" : n))).toEqual(asis);
  });

  it("tinystories-656k-bf16: embed_tokens only although the config says untied → token_embd, warning", async () => {
    const plan = await planOf("tinystories-656k-bf16");
    expectSameTensors(plan, referenceGguf("tinystories-656k-bf16", "gguf_tinystories-656k-bf16-variant-bf16.json"));
    expect(plan.entries[0]).toMatchObject({ gguf: "token_embd.weight", source: "model.embed_tokens.weight", sourceDtype: "BF16" });
    expect(plan.warnings).toHaveLength(1);
    expect(plan.warnings[0]).toContain("tie_word_embeddings is false");
  });

  it("bitnet-synth-1bitllm: sub-norms inner_attn_ln / ffn_layernorm, roles = the TQ1_0 file's types, no permutation", async () => {
    const plan = await planOf("bitnet-synth-1bitllm");
    const ref = referenceGguf("bitnet-synth-1bitllm", "gguf_bitnet-synth-1bitllm-convert-tq1_0.json");
    expectSameTensors(plan, ref);
    expectSameTensors(plan, referenceGguf("bitnet-synth-1bitllm", "gguf_bitnet-synth-1bitllm-convert-f32.json"));
    expectRolesMatchTypes(plan, ref, "TQ1_0");
    expect(plan.entries.find((e) => e.gguf === "blk.1.attn_sub_norm.weight")?.source).toBe("model.layers.1.self_attn.inner_attn_ln.weight");
    expect(plan.entries.find((e) => e.gguf === "blk.0.ffn_sub_norm.weight")?.source).toBe("model.layers.0.mlp.ffn_layernorm.weight");
    expect(plan.entries.filter((e) => e.permute)).toEqual([]);
    expect(plan.entries.filter((e) => e.role === "ternary")).toHaveLength(14);
  });

  it("bitnet-synth-2b4t-bf16: sub-norms attn_sub_norm / ffn_sub_norm, roles = the TQ2_0 file's types", async () => {
    const plan = await planOf("bitnet-synth-2b4t-bf16");
    const ref = referenceGguf("bitnet-synth-2b4t-bf16", "gguf_bitnet-synth-2b4t-bf16-convert2026patched-tq2_0.json");
    expectSameTensors(plan, ref);
    expectRolesMatchTypes(plan, ref, "TQ2_0");
    expect(plan.entries.every((e) => e.packed === undefined && e.permute === undefined)).toBe(true);
    expect(plan.warnings).toEqual([]);
  });

  it("bitnet-synth-2b4t-packed: U8 [out/4, in] + weight_scale, logical dims, converter order despite the header order", async () => {
    const { tensors } = await headersOf("bitnet-synth-2b4t-packed");
    // the header lists the U8 weights last; the plan (like the converter) sorts by name
    expect(tensors.at(-1)?.dtype).toBe("U8");
    const plan = await planOf("bitnet-synth-2b4t-packed");
    expectSameTensors(plan, referenceGguf("bitnet-synth-2b4t-packed", "gguf_bitnet-synth-2b4t-packed-convert2026patched-f32.json"));
    const packed = plan.entries.filter((e) => e.packed);
    expect(packed).toHaveLength(14);
    expect(packed.every((e) => e.role === "ternary")).toBe(true);
    const down = plan.entries.find((e) => e.gguf === "blk.0.ffn_down.weight")!;
    expect(down).toMatchObject({
      source: "model.layers.0.mlp.down_proj.weight",
      sources: ["model.layers.0.mlp.down_proj.weight", "model.layers.0.mlp.down_proj.weight_scale"],
      sourceDtype: "U8",
      sourceShape: [64, 768],
      shape: [256, 768],
      dims: [768, 256],
      packed: { weightScale: "model.layers.0.mlp.down_proj.weight_scale", weightScaleDtype: "BF16", outFeatures: 256, convention: "multiply" },
    });
    expect(plan.entries.find((e) => e.gguf === "blk.1.attn_k.weight")).toMatchObject({ sourceShape: [32, 256], shape: [128, 256] });
    expect(plan.warnings).toEqual([]);
  });

  it("a sharded checkpoint is planned shard by shard, sorted within each shard", async () => {
    const checkpoint = await openCheckpoint(fixturePath("models", "bitnet-tiny-sharded"));
    const plan = planTensors(specOf("bitnet-tiny-sharded"), checkpoint.tensors);
    await checkpoint.close();
    const fileOf = new Map(checkpoint.tensors.map((t) => [t.name, checkpoint.files.indexOf(t.file)]));
    const rows = plan.entries.map((e) => [fileOf.get(e.source)!, e.source] as const);
    expect(rows).toHaveLength(13);
    for (let i = 1; i < rows.length; i++) {
      const [f0, n0] = rows[i - 1]!;
      const [f1, n1] = rows[i]!;
      expect(f1 > f0 || (f1 === f0 && n1 > n0)).toBe(true);
    }
    expect(new Set(rows.map(([f]) => f))).toEqual(new Set([0, 1]));
  });
});

describe("planTensors errors and decisions", () => {
  const tiny = () => headersOf("tinystories-656k");
  const replace = (tensors: readonly SourceTensor[], name: string, change: Partial<SourceTensor> | null): SourceTensor[] =>
    tensors.flatMap((t) => (t.name !== name ? [t] : change === null ? [] : [{ ...t, ...change }]));

  it("missing tensors are TENSOR_NOT_FOUND naming them", async () => {
    const { tensors, aliases } = await tiny();
    const cut = replace(replace(tensors, "model.layers.1.self_attn.q_proj.weight", null), "model.norm.weight", null);
    expectError(() => planTensors(specOf("tinystories-656k"), cut, { aliases }), "TENSOR_NOT_FOUND", "2 tensor(s)", "'model.norm.weight'", "'model.layers.1.self_attn.q_proj.weight'");
  });

  it("unmapped tensors are UNSUPPORTED_ARCH naming them", async () => {
    const { tensors, aliases } = await tiny();
    const extra = [...tensors, { name: "model.layers.0.self_attn.q_proj.bias", dtype: "F32", shape: [128] }, { name: "model.layers.2.input_layernorm.weight", dtype: "F32", shape: [128] }];
    expectError(() => planTensors(specOf("tinystories-656k"), extra, { aliases }), "UNSUPPORTED_ARCH", "'model.layers.0.self_attn.q_proj.bias'", "'model.layers.2.input_layernorm.weight'", "2 layers");
    // the 2B-4T sub-norm names are not 1bitLLM's
    const { tensors: b4t } = await headersOf("bitnet-synth-2b4t-bf16");
    expectError(() => planTensors(specOf("bitnet-synth-1bitllm"), b4t), "UNSUPPORTED_ARCH", "self_attn.attn_sub_norm.weight");
  });

  it("a shape that contradicts the config is SHAPE_MISMATCH with both shapes", async () => {
    const { tensors, aliases } = await tiny();
    const bad = replace(tensors, "model.layers.0.self_attn.k_proj.weight", { shape: [128, 128] });
    expectError(() => planTensors(specOf("tinystories-656k"), bad, { aliases }), "SHAPE_MISMATCH", "model.layers.0.self_attn.k_proj.weight", "expected [64, 128]", "num_key_value_heads × head_dim", "got [128, 128]");
  });

  it("rotary inv_freq buffers are skipped", async () => {
    const { tensors, aliases } = await tiny();
    const plan = planTensors(specOf("tinystories-656k"), [...tensors, { name: "model.layers.0.self_attn.rotary_emb.inv_freq", dtype: "F32", shape: [8] }], { aliases });
    expect(plan.skipped.map((s) => s.name)).toEqual(["model.layers.0.self_attn.rotary_emb.inv_freq"]);
    expect(plan.entries).toHaveLength(20);
  });

  it("packed U8 weights need an offline quantization_config and their weight_scale", async () => {
    const { tensors } = await headersOf("bitnet-synth-2b4t-packed");
    expectError(() => planTensors(specOf("bitnet-synth-2b4t-bf16"), tensors), "UNSUPPORTED_DTYPE", 'quantization_mode "online"');
    const unquantized = parseModelConfig({ ...rawConfig("bitnet-synth-2b4t-packed"), quantization_config: null });
    expectError(() => planTensors(unquantized, tensors), "UNSUPPORTED_DTYPE", "no quantization_config");
    const noScale = replace(tensors, "model.layers.1.self_attn.o_proj.weight_scale", null);
    expectError(() => planTensors(specOf("bitnet-synth-2b4t-packed"), noScale), "TENSOR_NOT_FOUND", "model.layers.1.self_attn.o_proj.weight_scale");
    const bigScale = replace(tensors, "model.layers.1.self_attn.o_proj.weight_scale", { shape: [256] });
    expectError(() => planTensors(specOf("bitnet-synth-2b4t-packed"), bigScale), "SHAPE_MISMATCH", "expected one value");
    const badRows = replace(tensors, "model.layers.0.mlp.down_proj.weight", { shape: [65, 768] });
    expectError(() => planTensors(specOf("bitnet-synth-2b4t-packed"), badRows), "SHAPE_MISMATCH", "expected [64, 768]", "HF packed U8", "got [65, 768]");
  });

  it("float projections in an offline checkpoint are ternarised with a warning; stray weight_scales are reported", async () => {
    const { tensors } = await headersOf("bitnet-synth-2b4t-bf16");
    const plan = planTensors(specOf("bitnet-synth-2b4t-packed"), tensors);
    expect(plan.warnings.filter((w) => w.includes("not packed U8"))).toHaveLength(14);
    const stray = planTensors(specOf("bitnet-synth-2b4t-bf16"), [...tensors, { name: "model.layers.0.mlp.up_proj.weight_scale", dtype: "BF16", shape: [1] }]);
    expect(stray.warnings).toEqual(["model.layers.0.mlp.up_proj.weight_scale is ignored: its weight is not an HF packed U8 tensor"]);
  });

  it("integer dtypes other than packed projections are refused", async () => {
    const { tensors, aliases } = await tiny();
    const bad = replace(tensors, "model.layers.0.input_layernorm.weight", { dtype: "I8" });
    expectError(() => planTensors(specOf("tinystories-656k"), bad, { aliases }), "UNSUPPORTED_DTYPE", "model.layers.0.input_layernorm.weight", "I8");
  });

  it("modules_to_not_convert keeps projections dense (role other), by suffix or by prefix", async () => {
    const { tensors } = await headersOf("bitnet-synth-2b4t-bf16");
    const config = rawConfig("bitnet-synth-2b4t-bf16");
    const qc = config["quantization_config"] as Record<string, unknown>;
    const spec = parseModelConfig({ ...config, quantization_config: { ...qc, modules_to_not_convert: ["down_proj", "model.layers.1.self_attn"] } });
    const plan = planTensors(spec, tensors);
    const roles = Object.fromEntries(plan.entries.map((e) => [e.gguf, [e.role, e.denseBecause]]));
    expect(roles["blk.0.ffn_down.weight"]).toEqual(["other", "down_proj"]);
    expect(roles["blk.1.attn_q.weight"]).toEqual(["other", "model.layers.1.self_attn"]);
    expect(roles["blk.1.attn_sub_norm.weight"]).toEqual(["norm", undefined]);
    expect(roles["blk.0.attn_q.weight"]).toEqual(["ternary", undefined]);
    expect(plan.entries.filter((e) => e.role === "ternary")).toHaveLength(14 - 2 - 4);
  });

  it("a Llama checkpoint with HF packed weights (Llama3-8B-1.58 layout, scaled down): divide rule, permute after unpacking", async () => {
    const { tensors, aliases } = await tiny();
    const spec = parseModelConfig({ ...rawConfig("tinystories-656k"), quantization_config: { quant_method: "bitnet" } });
    const packed = tensors.flatMap((t): SourceTensor[] =>
      /_proj\.weight$/.test(t.name)
        ? [{ ...t, dtype: "U8", shape: [t.shape[0]! / 4, t.shape[1]!] }, { name: `${t.name}_scale`, dtype: "BF16", shape: [1] }]
        : [t],
    );
    const plan = planTensors(spec, packed, { aliases });
    const q = plan.entries.find((e) => e.gguf === "blk.0.attn_q.weight")!;
    expect(q).toMatchObject({ sourceShape: [32, 128], shape: [128, 128], dims: [128, 128], permute: { heads: 8 }, packed: { outFeatures: 128, convention: "divide" } });
    expect(plan.entries.find((e) => e.gguf === "blk.0.attn_k.weight")).toMatchObject({ permute: { heads: 4 }, packed: { outFeatures: 64 } });
    expect(plan.entries.filter((e) => e.packed)).toHaveLength(14);
  });
});
