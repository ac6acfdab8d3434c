import { describe, expect, it } from "vitest";
import { parseModelConfig, parseModelConfigText } from "../../src/model/config.js";
import { ggufArchitecture } from "../../src/model/spec.js";
import { expectError, rawConfig, specOf } from "./helpers.js";

const tinystories = () => rawConfig("tinystories-656k");
const withFields = (base: Record<string, unknown>, fields: Record<string, unknown>) => ({ ...base, ...fields });
const without = (base: Record<string, unknown>, ...fields: string[]) => {
  const copy = { ...base };
  for (const f of fields) delete copy[f];
  return copy;
};
const parse = (raw: unknown) => parseModelConfig(raw, { file: "config.json" });

describe("configs of the reference models", () => {
  it("tinystories-656k: plain Llama, GQA, tied", () => {
    const s = specOf("tinystories-656k");
    expect(s).toMatchObject({
      hfArchitecture: "LlamaForCausalLM", family: "llama", arch: "llama", modelType: "llama",
      hidden: 128, layers: 2, heads: 8, kvHeads: 4, headDim: 16, ffn: 384, vocab: 2048,
      rmsEps: 1e-6, ropeTheta: 10000, ropeScaling: undefined, contextLength: 512, tieWordEmbeddings: true,
      activation: "silu", bosTokenId: 1, eosTokenIds: [2], dtype: "float32", subNorms: false, quantization: undefined,
      slidingWindow: undefined,
    });
    expect(s.defaulted).toEqual([]);
  });

  it("tinystories-656k-bf16: the hand-edited untied config", () => {
    const s = specOf("tinystories-656k-bf16");
    expect(s.tieWordEmbeddings).toBe(false);
    expect(s.dtype).toBe("bfloat16");
    expect(s.kvHeads).toBe(4);
  });

  it("bitnet-synth-1bitllm: 1bitLLM BitnetForCausalLM → arch bitnet, SiLU, sub-norms", () => {
    const s = specOf("bitnet-synth-1bitllm");
    expect(s).toMatchObject({
      hfArchitecture: "BitnetForCausalLM", family: "bitnet-1bitllm", arch: "bitnet", modelType: "llama",
      hidden: 256, layers: 2, heads: 4, kvHeads: 4, headDim: 64, ffn: 512, vocab: 2048,
      rmsEps: 1e-5, ropeTheta: 10000, contextLength: 512, tieWordEmbeddings: true, activation: "silu",
      bosTokenId: 1, eosTokenIds: [2], dtype: "float16", subNorms: true, quantization: undefined,
    });
    expect(ggufArchitecture(s, "bitnet.cpp")).toBe("bitnet");
  });

  for (const [name, mode] of [["bitnet-synth-2b4t-bf16", "online"], ["bitnet-synth-2b4t-packed", "offline"]] as const) {
    it(`${name}: 2B-4T BitNetForCausalLM, relu², rope_theta from rope_parameters, ${mode}`, () => {
      const s = specOf(name);
      expect(s).toMatchObject({
        hfArchitecture: "BitNetForCausalLM", family: "bitnet-2b4t", arch: "bitnet", modelType: "bitnet",
        hidden: 256, layers: 2, heads: 4, kvHeads: 2, headDim: 64, ffn: 768, vocab: 2048,
        rmsEps: 1e-5, ropeTheta: 500000, contextLength: 4096, tieWordEmbeddings: true, activation: "relu2",
        bosTokenId: 1, eosTokenIds: [2], dtype: "bfloat16", subNorms: true,
      });
      // transformers 5 keeps the theta under rope_parameters: it is read, not defaulted
      expect(s.defaulted).not.toContain("rope_theta");
      expect(s.quantization?.weightScale).toMatchObject({ linearClass: "autobitlinear", source: "config", mode, modeSource: "config", convention: "multiply" });
      expect(s.quantization?.modulesToNotConvert).toEqual(["lm_head"]);
      expect(ggufArchitecture(s, "llama.cpp")).toBe("bitnet");
      expect(ggufArchitecture(s, "bitnet.cpp")).toBe("bitnet-b1.58");
    });
  }

  it("a BitNetForCausalLM config without quantization_config reads float masters", () => {
    const s = specOf("bitnet-tiny-sharded");
    expect(s.quantization).toBeUndefined();
    expect(s.notes.join("\n")).toContain("float masters");
    expect(s).toMatchObject({ hidden: 32, kvHeads: 1, headDim: 16, ffn: 64, ropeTheta: 500000 });
  });

  it("an unknown architecture is UNSUPPORTED_ARCH naming it and the supported ones", () => {
    expectError(
      () => parse(rawConfig("tiny-gpt2-random")),
      "UNSUPPORTED_ARCH",
      '"GPT2LMHeadModel"',
      "LlamaForCausalLM, MistralForCausalLM, BitnetForCausalLM, BitNetForCausalLM",
    );
  });
});

describe("other Llama-family configs (hand-written from models.md facts)", () => {
  const llama3 = {
    architectures: ["LlamaForCausalLM"], hidden_size: 4096, intermediate_size: 14336, num_hidden_layers: 32,
    num_attention_heads: 32, num_key_value_heads: 8, vocab_size: 128256, max_position_embeddings: 8192,
    rms_norm_eps: 1e-5, rope_theta: 500000, tie_word_embeddings: false, bos_token_id: 128000,
    eos_token_id: [128001, 128008, 128009],
  };

  it("HF1BitLLM Llama3-8B-1.58 style: {quant_method: bitnet} defaults to bitlinear / offline (divide), noted", () => {
    const s = parse({ ...llama3, quantization_config: { quant_method: "bitnet" } });
    expect(s).toMatchObject({ family: "llama", arch: "llama", headDim: 128, kvHeads: 8, tieWordEmbeddings: false, eosTokenIds: [128001, 128008, 128009] });
    expect(s.quantization?.weightScale).toMatchObject({ linearClass: "bitlinear", source: "default", mode: "offline", modeSource: "default", convention: "divide" });
    expect(s.notes.join("\n")).toContain("defaulted");
  });

  it("Falcon3-1.58bit style: head_dim larger than hidden/heads, modules_to_not_convert kept plus lm_head", () => {
    const s = parse({
      ...llama3, hidden_size: 3072, num_attention_heads: 12, num_key_value_heads: 4, head_dim: 256,
      quantization_config: { quant_method: "bitnet", modules_to_not_convert: ["model.layers.0.mlp.down_proj"] },
    });
    expect(s.headDim).toBe(256);
    expect(s.quantization?.modulesToNotConvert).toEqual(["model.layers.0.mlp.down_proj", "lm_head"]);
  });

  it("Mistral style: MistralForCausalLM is Llama-family; sliding_window null means none, absent means 4096", () => {
    const mistral = { ...llama3, architectures: ["MistralForCausalLM"], hidden_size: 5120, num_attention_heads: 32, head_dim: 128, rope_theta: 1e6, sliding_window: null };
    const s = parse(mistral);
    expect(s).toMatchObject({ family: "llama", arch: "llama", headDim: 128, ropeTheta: 1e6, slidingWindow: undefined });
    const d = parse(without(mistral, "sliding_window"));
    expect(d.slidingWindow).toBe(4096);
    expect(d.defaulted).toContain("sliding_window");
  });

  it("transformers 5 Llama config: rope_theta only inside rope_parameters is kept", () => {
    const s = parse({ ...without(llama3, "rope_theta"), rope_parameters: { rope_theta: 1000042, rope_type: "default" } });
    expect(s.ropeTheta).toBe(1000042);
    expect(s.defaulted).not.toContain("rope_theta");
  });

  it("linear rope scaling is kept; from rope_scaling or rope_parameters", () => {
    expect(parse({ ...llama3, rope_scaling: { type: "linear", factor: 2 } }).ropeScaling).toEqual({ type: "linear", factor: 2 });
    expect(parse({ ...llama3, rope_parameters: { rope_theta: 1e4, rope_type: "linear", factor: 4 } }).ropeScaling).toEqual({ type: "linear", factor: 4 });
    expect(parse({ ...llama3, rope_scaling: { rope_type: "default" } }).ropeScaling).toBeUndefined();
  });

  it("absent optional fields take the class defaults and are listed", () => {
    const bare = without(tinystories(), "num_key_value_heads", "rms_norm_eps", "rope_theta", "tie_word_embeddings", "hidden_act");
    const llama = parse(bare);
    expect(llama).toMatchObject({ kvHeads: 8, rmsEps: 1e-6, ropeTheta: 10000, tieWordEmbeddings: false, activation: "silu" });
    expect(llama.defaulted).toEqual(expect.arrayContaining(["num_key_value_heads", "rms_norm_eps", "rope_theta", "tie_word_embeddings", "hidden_act"]));
    const bitnet = parse({ ...bare, architectures: ["BitNetForCausalLM"] });
    expect(bitnet).toMatchObject({ rmsEps: 1e-5, ropeTheta: 500000, activation: "relu2" });
  });

  it("hidden_act swish is SiLU", () => {
    expect(parse(withFields(tinystories(), { hidden_act: "swish" })).activation).toBe("silu");
  });
});

describe("broken configs name the field", () => {
  it("a negative head count", () => {
    const e = expectError(() => parse(withFields(tinystories(), { num_attention_heads: -1 })), "INVALID_CONFIG");
    expect(e.detail).toBe("config.json: num_attention_heads: expected a positive integer, got -1");
  });

  it("a missing, a fractional, a string-typed field", () => {
    expectError(() => parse(without(tinystories(), "hidden_size")), "INVALID_CONFIG", "hidden_size: expected a positive integer, got nothing (the field is missing)");
    expectError(() => parse(withFields(tinystories(), { vocab_size: 1.5 })), "INVALID_CONFIG", "vocab_size: expected a positive integer, got 1.5");
    expectError(() => parse(withFields(tinystories(), { hidden_size: "128" })), "INVALID_CONFIG", 'hidden_size: expected a positive integer, got "128"');
    expectError(() => parse(withFields(tinystories(), { tie_word_embeddings: "yes" })), "INVALID_CONFIG", 'tie_word_embeddings: expected true or false, got "yes"');
    expectError(() => parse(withFields(tinystories(), { rms_norm_eps: 0 })), "INVALID_CONFIG", "rms_norm_eps: expected a positive finite number, got 0");
  });

  it("every bad field at once, with the file name given", () => {
    const e = expectError(
      () => parseModelConfig(withFields(tinystories(), { num_hidden_layers: 0, eos_token_id: "x" }), { file: "models/x/config.json" }),
      "INVALID_CONFIG",
    );
    expect(e.detail).toContain("models/x/config.json: ");
    expect(e.detail).toContain("num_hidden_layers: expected a positive integer, got 0");
    expect(e.detail).toContain('eos_token_id: expected a token id or a list of token ids, got "x"');
  });

  it("architectures missing or empty", () => {
    expectError(() => parse(without(tinystories(), "architectures")), "INVALID_CONFIG", "architectures: expected a non-empty list of strings");
    expectError(() => parse(withFields(tinystories(), { architectures: [] })), "INVALID_CONFIG", "architectures: expected a non-empty list of strings, got []");
  });

  it("an activation no GGUF graph has", () => {
    expectError(() => parse(withFields(tinystories(), { hidden_act: "gelu" })), "INVALID_CONFIG", 'hidden_act: expected one of "silu", "swish", "relu2", got "gelu"');
  });

  it("cross-field rules", () => {
    expectError(() => parse(withFields(tinystories(), { num_key_value_heads: 3 })), "INVALID_CONFIG", "num_key_value_heads: 3 does not divide num_attention_heads 8");
    expectError(() => parse(withFields(tinystories(), { hidden_size: 100 })), "INVALID_CONFIG", "hidden_size: 100 is not a multiple of num_attention_heads 8");
    expectError(() => parse(withFields(tinystories(), { head_dim: 15 })), "INVALID_CONFIG", "head_dim: the head dimension 15 must be even");
    expectError(() => parse(withFields(tinystories(), { attention_bias: true })), "INVALID_CONFIG", "attention_bias: true is not supported");
  });

  it("rope scaling ternpack cannot write", () => {
    expectError(() => parse(withFields(tinystories(), { rope_scaling: { rope_type: "llama3", factor: 8 } })), "INVALID_CONFIG", 'rope_scaling.rope_type: "llama3" is not supported');
    expectError(() => parse(withFields(tinystories(), { rope_scaling: { type: "yarn", factor: 4 } })), "INVALID_CONFIG", 'rope_scaling.type: "yarn"');
    expectError(() => parse(withFields(tinystories(), { rope_scaling: { type: "linear" } })), "INVALID_CONFIG", "rope_scaling.factor");
  });

  it("quantization_config problems", () => {
    const q = (qc: unknown) => () => parse(withFields(tinystories(), { quantization_config: qc }));
    expectError(q("bitnet"), "INVALID_CONFIG", 'config.json: quantization_config: expected an object, got "bitnet"');
    expectError(q({ quant_method: "gptq" }), "INVALID_CONFIG", 'quantization_config.quant_method: expected "bitnet"', '"gptq"');
    expectError(q({ quant_method: "bitnet", linear_class: "fancy" }), "INVALID_CONFIG", "config.json: quantization_config.linear_class", '"fancy"');
    expectError(q({ quant_method: "bitnet", quantization_mode: "sometimes" }), "INVALID_CONFIG", "quantization_config.quantization_mode");
    expectError(q({ quant_method: "bitnet", use_rms_norm: true }), "INVALID_CONFIG", "quantization_config.use_rms_norm: true");
    expectError(q({ quant_method: "bitnet", modules_to_not_convert: [1] }), "INVALID_CONFIG", "quantization_config.modules_to_not_convert[0]: expected a string, got 1");
  });

  it("not an object, not JSON", () => {
    expectError(() => parse([1]), "INVALID_CONFIG", "expected a JSON object, got an array");
    expectError(() => parseModelConfigText("{", { file: "config.json" }), "INVALID_CONFIG", "config.json: not valid JSON");
    expect(parseModelConfigText(JSON.stringify(tinystories())).hidden).toBe(128);
  });
});
