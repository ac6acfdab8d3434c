import { describe, expect, it } from "vitest";
import { parseModelConfig } from "../../src/model/config.js";
import { runtimeWarnings } from "../../src/model/runtime-warnings.js";
import { rawConfig, specOf } from "./helpers.js";

describe("runtimeWarnings", () => {
  it("2B-4T (relu²) on upstream llama.cpp: the FFN is wrong, use bitnet.cpp", () => {
    const warnings = runtimeWarnings(specOf("bitnet-synth-2b4t-packed"), "llama.cpp");
    const relu = warnings.filter((w) => w.includes("relu2"));
    expect(relu).toHaveLength(1);
    expect(relu[0]).toContain("computes SiLU(gate)·up");
    expect(relu[0]).toContain("99.8");
    expect(relu[0]).toContain("bitnet-b1.58");
  });

  it("2B-4T on bitnet.cpp (arch bitnet-b1.58, relu² graph): nothing to warn about", () => {
    expect(runtimeWarnings(specOf("bitnet-synth-2b4t-bf16"), "bitnet.cpp")).toEqual([]);
  });

  it("a SiLU model in the relu² graph is wrong too", () => {
    const silu = parseModelConfig({ ...rawConfig("bitnet-synth-2b4t-bf16"), hidden_act: "silu" });
    expect(runtimeWarnings(silu, "bitnet.cpp").join()).toContain("bitnet.cpp's bitnet-b1.58 graph computes relu(gate)²·up");
  });

  it("bitnet arch on llama.cpp: activations are not quantised per token as in BitNet", () => {
    const warnings = runtimeWarnings(specOf("bitnet-synth-1bitllm"), "llama.cpp");
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("int8 activation");
    expect(runtimeWarnings(specOf("bitnet-synth-1bitllm"), "bitnet.cpp")).toEqual([]);
  });

  it("plain Llama: none; a sliding window shorter than the context: one", () => {
    expect(runtimeWarnings(specOf("tinystories-656k"), "llama.cpp")).toEqual([]);
    const mistral = parseModelConfig({ ...rawConfig("tinystories-656k"), architectures: ["MistralForCausalLM"], sliding_window: 128 });
    expect(runtimeWarnings(mistral, "llama.cpp")).toEqual([expect.stringContaining("sliding_window is 128")]);
  });
});
