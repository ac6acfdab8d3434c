/** models.md §5: which tensor becomes token_embd, and when output.weight is written. */
import { describe, expect, it } from "vitest";
import { parseModelConfig } from "../../src/model/config.js";
import type { ModelSpec } from "../../src/model/spec.js";
import { planTensors, type PlanOptions, type SourceTensor } from "../../src/model/tensor-map.js";
import { expectError, headersOf, rawConfig } from "./helpers.js";

const EMBED = "model.embed_tokens.weight";
const HEAD = "lm_head.weight";

function spec(name: string, tie: boolean): ModelSpec {
  return parseModelConfig({ ...rawConfig(name), tie_word_embeddings: tie });
}

/** The model's block tensors plus the chosen embedding/head tensors of shape [vocab, hidden]. */
async function tensorsWith(name: "tinystories-656k" | "bitnet-synth-1bitllm", ...pair: string[]): Promise<SourceTensor[]> {
  const { tensors } = await headersOf(name);
  const shape = name === "tinystories-656k" ? [2048, 128] : [2048, 256];
  const blocks = tensors.filter((t) => t.name !== EMBED && t.name !== HEAD);
  return [...blocks, ...pair.map((n) => ({ name: n, dtype: "F16", shape }))];
}

function outcome(s: ModelSpec, tensors: SourceTensor[], options: PlanOptions = {}) {
  const plan = planTensors(s, tensors, options);
  const source = (gguf: string) => plan.entries.find((e) => e.gguf === gguf)?.source;
  return { tokenEmbd: source("token_embd.weight"), output: source("output.weight"), warnings: plan.warnings, skipped: plan.skipped, count: plan.entries.length };
}

describe("tied embeddings (arch llama)", () => {
  it("embed_tokens only, tied: token_embd, no output, no warning", async () => {
    expect(outcome(spec("tinystories-656k", true), await tensorsWith("tinystories-656k", EMBED))).toMatchObject({ tokenEmbd: EMBED, output: undefined, warnings: [], count: 20 });
  });

  it("embed_tokens only, untied config: token_embd, no output, a warning about the config", async () => {
    const r = outcome(spec("tinystories-656k", false), await tensorsWith("tinystories-656k", EMBED));
    expect(r).toMatchObject({ tokenEmbd: EMBED, output: undefined });
    expect(r.warnings.join()).toContain(`stores no ${HEAD}`);
  });

  it("lm_head only with the __metadata__ alias: token_embd from lm_head.weight", async () => {
    const aliases = new Map([[EMBED, HEAD]]);
    expect(outcome(spec("tinystories-656k", true), await tensorsWith("tinystories-656k", HEAD), { aliases })).toMatchObject({ tokenEmbd: HEAD, output: undefined, warnings: [] });
    const untied = outcome(spec("tinystories-656k", false), await tensorsWith("tinystories-656k", HEAD), { aliases });
    expect(untied).toMatchObject({ tokenEmbd: HEAD, output: undefined });
    expect(untied.warnings.join()).toContain("alias");
  });

  it("lm_head only, tied, no alias: token_embd from lm_head.weight", async () => {
    expect(outcome(spec("tinystories-656k", true), await tensorsWith("tinystories-656k", HEAD))).toMatchObject({ tokenEmbd: HEAD, output: undefined });
  });

  it("lm_head only, untied, no alias: the input embedding is missing", async () => {
    const tensors = await tensorsWith("tinystories-656k", HEAD);
    expectError(() => planTensors(spec("tinystories-656k", false), tensors), "TENSOR_NOT_FOUND", EMBED, "input embedding is missing");
  });

  it("neither: the input embedding is missing", async () => {
    const tensors = await tensorsWith("tinystories-656k");
    expectError(() => planTensors(spec("tinystories-656k", true), tensors), "TENSOR_NOT_FOUND", EMBED);
  });

  it("both, untied: token_embd + output", async () => {
    const r = outcome(spec("tinystories-656k", false), await tensorsWith("tinystories-656k", EMBED, HEAD));
    expect(r).toMatchObject({ tokenEmbd: EMBED, output: HEAD, warnings: [], count: 21 });
  });

  it("both, byte-identical (caller compared): token_embd only, lm_head reported as skipped", async () => {
    const r = outcome(spec("tinystories-656k", false), await tensorsWith("tinystories-656k", EMBED, HEAD), { headEqualsEmbedding: true });
    expect(r).toMatchObject({ tokenEmbd: EMBED, output: undefined, count: 20 });
    expect(r.skipped).toEqual([{ name: HEAD, reason: `identical to ${EMBED}` }]);
  });

  it("both, tied: token_embd only; a warning when they are known to differ", async () => {
    const tensors = await tensorsWith("tinystories-656k", EMBED, HEAD);
    expect(outcome(spec("tinystories-656k", true), tensors)).toMatchObject({ tokenEmbd: EMBED, output: undefined, warnings: [] });
    const r = outcome(spec("tinystories-656k", true), tensors, { headEqualsEmbedding: false });
    expect(r.output).toBeUndefined();
    expect(r.warnings.join()).toContain("is ignored");
  });
});

describe("tied embeddings (arch bitnet: no output tensor at all)", () => {
  it("a distinct lm_head cannot be represented", async () => {
    const tensors = await tensorsWith("bitnet-synth-1bitllm", EMBED, HEAD);
    expectError(() => planTensors(spec("bitnet-synth-1bitllm", false), tensors), "UNSUPPORTED_ARCH", "arch bitnet has no output tensor", HEAD);
  });

  it("an identical or tied lm_head is dropped", async () => {
    const tensors = await tensorsWith("bitnet-synth-1bitllm", EMBED, HEAD);
    expect(outcome(spec("bitnet-synth-1bitllm", false), tensors, { headEqualsEmbedding: true })).toMatchObject({ tokenEmbd: EMBED, output: undefined, count: 24 });
    expect(outcome(spec("bitnet-synth-1bitllm", true), tensors)).toMatchObject({ tokenEmbd: EMBED, output: undefined, count: 24 });
  });
});
