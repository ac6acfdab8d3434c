import { describe, expect, it } from "vitest";
import { GGUF_VALUE_TYPE as T, ggufValueTypeName } from "../../formats/gguf/value-types.js";
import { parseModelConfig } from "../../src/model/config.js";
import { ggufMetadata, type GgufMetadataOptions } from "../../src/model/gguf-metadata.js";
import type { MetadataKv } from "../../src/model/metadata-kv.js";
import { baseModelFromRepoId, idToTitle } from "../../src/model/provenance.js";
import { sizeLabel } from "../../src/model/size-label.js";
import type { ModelSpec } from "../../src/model/spec.js";
import { countParameters, planTensors } from "../../src/model/tensor-map.js";
import { VERSION } from "../../src/version.js";
import { readJson } from "../helpers/fixtures.js";
import { expectError, headersOf, rawConfig, referenceGguf, specOf, type ModelName, type ReferenceKv } from "./helpers.js";

/** Strings the converters derive from their input folder's name, and keys only ternpack writes. */
const FOLDER_DERIVED = ["general.name", "general.basename", "general.finetune"];
const comparable = (key: string, arch: string) =>
  !FOLDER_DERIVED.includes(key) && !key.startsWith("tokenizer.") && key !== "general.quantized_by" && key !== `${arch}.hidden_activation`;

/** [key, type name, value], float32 values rounded as the file stores them. */
function row(kv: { key: string; type: string | number; value?: unknown }): [string, string, unknown] {
  const type = typeof kv.type === "number" ? ggufValueTypeName(kv.type) : kv.type;
  return [kv.key, type, type === "FLOAT32" ? Math.fround(kv.value as number) : kv.value];
}

async function metadataFor(name: ModelName, options: Omit<GgufMetadataOptions, "parameterCount">): Promise<MetadataKv[]> {
  const { tensors, aliases } = await headersOf(name);
  const spec = specOf(name);
  return ggufMetadata(spec, { ...options, parameterCount: countParameters(planTensors(spec, tensors, { aliases }).entries) });
}

const CASES: [ModelName, string, string][] = [
  ["tinystories-656k", "tinystories-656k", "gguf_tinystories-656k-f32.json"],
  ["tinystories-656k", "tinystories-656k", "gguf_tinystories-656k-f16.json"],
  ["tinystories-656k", "tinystories-656k", "gguf_tinystories-656k-bf16.json"],
  ["tinystories-656k-bf16", "tinystories-656k-bf16", "gguf_tinystories-656k-bf16-variant-bf16.json"],
  ["bitnet-synth-1bitllm", "bitnet-synth-1bitllm", "gguf_bitnet-synth-1bitllm-convert-f32.json"],
  ["bitnet-synth-1bitllm", "bitnet-synth-1bitllm", "gguf_bitnet-synth-1bitllm-convert-tq1_0.json"],
  ["bitnet-synth-2b4t-bf16", "bitnet-synth-2b4t-bf16", "gguf_bitnet-synth-2b4t-bf16-convert2026patched-f32.json"],
  ["bitnet-synth-2b4t-bf16", "bitnet-synth-2b4t-bf16", "gguf_bitnet-synth-2b4t-bf16-convert2026patched-tq2_0.json"],
  ["bitnet-synth-2b4t-packed", "bitnet-synth-2b4t-packed", "gguf_bitnet-synth-2b4t-packed-convert2026patched-f32.json"],
];

describe("model KVs equal the reference converters' (upstream llama.cpp target)", () => {
  for (const [model, folder, file] of CASES) {
    it(`${model} vs ${file}`, async () => {
      const ref = referenceGguf(folder, file);
      const fileType = ref.kv.find((kv) => kv.key === "general.file_type")!.value as number;
      const ours = await metadataFor(model, { runtime: "llama.cpp", fileType });
      const arch = ours[0]!.value as string;
      expect(ref.kv[0]).toEqual({ key: "general.architecture", type: "STRING", value: arch });
      const expected = ref.kv.filter((kv: ReferenceKv) => comparable(kv.key, arch)).map(row);
      expect(expected.length).toBeGreaterThanOrEqual(14);
      expect(ours.filter((kv) => comparable(kv.key, arch)).map(row)).toEqual(expected);
      expect(ours.find((kv) => kv.key === "general.quantized_by")?.value).toBe(`ternpack ${VERSION}`);
      const activation = ours.find((kv) => kv.key === `${arch}.hidden_activation`);
      expect(activation?.value).toBe(model.startsWith("bitnet-synth-2b4t") ? "relu2" : undefined);
    });
  }
});

describe("ggufMetadata", () => {
  const tiny = specOf("tinystories-656k");
  const base = { runtime: "llama.cpp", fileType: 0, parameterCount: 656000 } as const;
  const keys = (kvs: MetadataKv[]) => kvs.map((kv) => kv.key);

  it("architecture first, quantization_version last, tokenizer KVs just before it", () => {
    const tokenizer: MetadataKv[] = [
      { key: "tokenizer.ggml.model", type: T.STRING, value: "llama" },
      { key: "tokenizer.ggml.bos_token_id", type: T.UINT32, value: 1 },
    ];
    const kvs = ggufMetadata(tiny, { ...base, tokenizer });
    expect(kvs[0]).toEqual({ key: "general.architecture", type: T.STRING, value: "llama" });
    expect(kvs.at(-1)).toEqual({ key: "general.quantization_version", type: T.UINT32, value: 2 });
    expect(keys(kvs).slice(-3)).toEqual(["tokenizer.ggml.model", "tokenizer.ggml.bos_token_id", "general.quantization_version"]);
    expectError(() => ggufMetadata(tiny, { ...base, tokenizer: [{ key: "general.name", type: T.STRING, value: "x" }, { key: "general.name", type: T.STRING, value: "y" }] }), "DUPLICATE_KEY", "general.name");
  });

  it("2B-4T for bitnet.cpp: arch bitnet-b1.58, vocab_size and rope.dimension_count, no rope scaling", () => {
    const kvs = ggufMetadata(specOf("bitnet-synth-2b4t-packed"), { runtime: "bitnet.cpp", fileType: 40, parameterCount: 2100480 });
    const byKey = new Map(kvs.map((kv) => [kv.key, kv]));
    expect(byKey.get("general.architecture")?.value).toBe("bitnet-b1.58");
    expect(keys(kvs).filter((k) => k.startsWith("bitnet-b1.58.")).map((k) => k.slice("bitnet-b1.58.".length))).toEqual([
      "block_count", "context_length", "embedding_length", "feed_forward_length", "attention.head_count",
      "attention.head_count_kv", "rope.freq_base", "attention.layer_norm_rms_epsilon", "vocab_size",
      "rope.dimension_count", "hidden_activation",
    ]);
    expect(byKey.get("bitnet-b1.58.rope.freq_base")).toEqual({ key: "bitnet-b1.58.rope.freq_base", type: T.FLOAT32, value: 500000 });
    expect(byKey.get("bitnet-b1.58.rope.dimension_count")).toEqual({ key: "bitnet-b1.58.rope.dimension_count", type: T.UINT32, value: 64 });
    expect(byKey.get("general.file_type")).toEqual({ key: "general.file_type", type: T.UINT32, value: 40 });
    expect(keys(ggufMetadata(specOf("bitnet-synth-2b4t-packed"), { ...base, hiddenActivationKey: false }))).not.toContain("bitnet.hidden_activation");
  });

  it("head_dim other than hidden/heads adds key_length / value_length; linear rope scaling adds its keys", () => {
    const falconish: ModelSpec = parseModelConfig({ ...rawConfig("tinystories-656k"), head_dim: 32, rope_scaling: { type: "linear", factor: 2 } });
    const kvs = ggufMetadata(falconish, base);
    const at = (k: string) => kvs.find((kv) => kv.key === k);
    expect(at("llama.attention.key_length")).toEqual({ key: "llama.attention.key_length", type: T.UINT32, value: 32 });
    expect(at("llama.attention.value_length")?.value).toBe(32);
    expect(at("llama.rope.dimension_count")?.value).toBe(32);
    expect(at("llama.rope.scaling.type")).toEqual({ key: "llama.rope.scaling.type", type: T.STRING, value: "linear" });
    expect(at("llama.rope.scaling.factor")).toEqual({ key: "llama.rope.scaling.factor", type: T.FLOAT32, value: 2 });
    expect(keys(ggufMetadata(tiny, base))).not.toContain("llama.attention.key_length");
  });

  it("provenance in gguf-py's order, base models from repo ids", () => {
    const kvs = ggufMetadata(tiny, {
      ...base,
      name: "TinyStories 656K", basename: "TinyStories", license: "apache-2.0", sourceRepoUrl: "https://huggingface.co/raincandy-u/TinyStories-656K",
      baseModels: [baseModelFromRepoId("raincandy-u/TinyStories-656K")], tags: ["ternary", "ternpack"],
    });
    expect(keys(kvs).slice(0, 13)).toEqual([
      "general.architecture", "general.type", "general.name", "general.basename", "general.quantized_by", "general.size_label",
      "general.license", "general.source.repo_url", "general.base_model.count", "general.base_model.0.name",
      "general.base_model.0.organization", "general.base_model.0.repo_url", "general.tags",
    ]);
    const at = (k: string) => kvs.find((kv) => kv.key === k)?.value;
    expect(at("general.size_label")).toBe("656K");
    expect(at("general.base_model.count")).toBe(1);
    expect(at("general.base_model.0.name")).toBe("TinyStories 656K");
    expect(at("general.base_model.0.organization")).toBe("Raincandy U");
    expect(at("general.base_model.0.repo_url")).toBe("https://huggingface.co/raincandy-u/TinyStories-656K");
    expect(at("general.tags")).toEqual({ elementType: T.STRING, values: ["ternary", "ternpack"] });
    expect(ggufMetadata(tiny, { ...base, sizeLabel: "0.7M", quantizedBy: "me" }).find((kv) => kv.key === "general.size_label")?.value).toBe("0.7M");
  });

  it("empty strings and lists are refused, naming the option", () => {
    expectError(() => ggufMetadata(tiny, { ...base, name: "" }), "INVALID_VALUE", "general.name", "name is empty");
    expectError(() => ggufMetadata(tiny, { ...base, tags: [] }), "INVALID_VALUE", "general.tags");
    expectError(() => ggufMetadata(tiny, { ...base, baseModels: [{ name: "" }] }), "INVALID_VALUE", "baseModels[0].name");
  });
});

describe("gguf-py's naming helpers", () => {
  const golden = readJson<{ size_label: [number, string][]; id_to_title: [string, string][] }>("models", "gguf-py-metadata.json");

  it("sizeLabel = model_weight_count_rounded_notation, ties to even included", () => {
    expect(golden.size_label.length).toBeGreaterThan(20);
    for (const [count, label] of golden.size_label) expect([count, sizeLabel(count)]).toEqual([count, label]);
  });

  it("idToTitle = Metadata.id_to_title", () => {
    for (const [id, title] of golden.id_to_title) expect([id, idToTitle(id)]).toEqual([id, title]);
  });

  it("baseModelFromRepoId", () => {
    expect(baseModelFromRepoId("microsoft/bitnet-b1.58-2B-4T")).toEqual({
      name: "Bitnet B1.58 2B 4T", organization: "Microsoft", repoUrl: "https://huggingface.co/microsoft/bitnet-b1.58-2B-4T",
    });
    expect(baseModelFromRepoId("tinystories-656k")).toEqual({ name: "Tinystories 656k" });
  });
});
