/**
 * TinyStories-656K (plain Llama, F32) against transformers 5.18.0 float32: last-position logits of
 * the 3 prompts within 1e-3 and the 32 greedy tokens identical, both from the safetensors folder
 * and from the F32 GGUF ternpack converts it to (q/k permuted for llama, un-permuted on load).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { convert } from "../../src/api/convert.js";
import { greedy, lastLogits } from "../../src/eval/forward.js";
import { loadGgufModel } from "../../src/eval/load-gguf.js";
import { loadSafetensorsModel } from "../../src/eval/load-safetensors.js";
import type { EvalModel } from "../../src/eval/weights.js";
import { maxAbsDiff, referenceLogits, TINYSTORIES_FOLDER, tinystories } from "./references.js";

const TOLERANCE = 1e-3;
let dir = "";
const models: Record<string, EvalModel> = {};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "ternpack-eval-"));
  const output = join(dir, "tinystories-656k-f32.gguf");
  await convert({ input: TINYSTORIES_FOLDER, output, method: "none", keepType: "f32", workers: 0 });
  models["safetensors"] = await loadSafetensorsModel(TINYSTORIES_FOLDER);
  models["F32 GGUF"] = await loadGgufModel(output);
}, 60_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe.each(["safetensors", "F32 GGUF"])("TinyStories-656K from %s", (source) => {
  it("reads the config a plain Llama needs (no BitNet activation quant, tied head)", () => {
    const { config, weights } = models[source]!;
    expect(config).toMatchObject({ hidden: 128, layers: 2, heads: 8, kvHeads: 4, headDim: 16, ffn: 384, vocab: 2048, bitnet: false, subNorms: false, activation: "silu" });
    expect(weights.output).toBe(weights.tokenEmbd);
  });

  it.each(tinystories.prompts.map((p, i) => [i, p] as const))("prompt %i: last logits within 1e-3 of transformers", (_, p) => {
    const logits = lastLogits(models[source]!, p.input_ids);
    const diff = maxAbsDiff(logits, referenceLogits("tinystories-656k", p.last_logits_file));
    expect(diff).toBeLessThan(TOLERANCE);
  });

  it.each(tinystories.prompts.map((p, i) => [i, p] as const))("prompt %i: 32 greedy tokens equal transformers'", (_, p) => {
    expect(p.greedy_ids).toHaveLength(32);
    expect(greedy(models[source]!, p.input_ids, 32)).toEqual(p.greedy_ids);
  });
});

describe("the GGUF's q/k rows", () => {
  it("come back in HF order: GGUF and safetensors weights are identical", () => {
    const a = models["safetensors"]!.weights.layers[0]!;
    const b = models["F32 GGUF"]!.weights.layers[0]!;
    expect(Array.from(b.q.data)).toEqual(Array.from(a.q.data));
    expect(Array.from(b.k.data)).toEqual(Array.from(a.k.data));
  });
});
