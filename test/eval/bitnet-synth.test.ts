/**
 * The synthetic BitNet checkpoints (1bitLLM-style F16 masters; 2B-4T-style BF16 masters and its
 * packed U8 + weight_scale twin) against transformers 5.18.0's float32 references: `f32` (int8
 * activation quant), `f32_noactquant`, and for 2B-4T `f32_noactquant_silu` (relu² replaced by
 * SiLU), from the safetensors folders and from ternpack GGUFs.
 *
 * Tolerance 1e-4 max abs on the last-position logits (logit std ≈ 8, top logits ≈ 26): the
 * references' own independent plain-torch re-implementation agrees with transformers to 1.4e-5,
 * and what remains is float32 summation order; 1e-4 leaves room for that while any wrong
 * semantics (scale convention, activation, missing act quant: ≥ 0.2) fails. Greedy ids must be
 * equal for all 16 steps (the smallest recorded top-1 margin, 0.06, is far above 1e-4).
 * GGUFs with a per-tensor f32 scale (I2_S) or fp16-exact scales (TQ from the packed bf16
 * weight_scale) are lossless and get the same bound. TQ from float masters rounds each σ to fp16
 * (relative error ≤ 2⁻¹¹): without activation quant that moves the logits by ≤ 1e-2 (seen 3.4e-3–4.4e-3).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { convert } from "../../src/api/convert.js";
import { greedy, lastLogits, type ForwardOptions } from "../../src/eval/forward.js";
import { loadGgufModel } from "../../src/eval/load-gguf.js";
import { loadSafetensorsModel } from "../../src/eval/load-safetensors.js";
import type { EvalModel } from "../../src/eval/weights.js";
import { BITNET_MODELS, bitnetFolder, bitnetVariants, maxAbsDiff, referenceLogits, type VariantReference } from "./references.js";

const TOLERANCE = 1e-4;
const TQ_FROM_MASTERS_TOLERANCE = 1e-2;
let dir = "";
const models = new Map<string, EvalModel>();
const key = (model: string, source: string) => `${model} ${source}`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "ternpack-eval-bitnet-"));
  for (const m of BITNET_MODELS) {
    models.set(key(m, "safetensors"), await loadSafetensorsModel(bitnetFolder(m)));
    for (const [target, layout] of [["bitnet.cpp", "i2_s"], ["llama.cpp", "tq2_0"]] as const) {
      const output = join(dir, `${m}-${layout}.gguf`);
      await convert({ input: bitnetFolder(m), output, target, layout, workers: 0 });
      models.set(key(m, layout), await loadGgufModel(output));
    }
  }
}, 120_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const optionsOf = (v: VariantReference): ForwardOptions => ({
  activationQuant: v.description.activation_int8_quant,
  activation: v.description.ffn_activation,
});

/** [model, source, variant name, variant] for every exact-tolerance case. */
const exactCases = BITNET_MODELS.flatMap((m) =>
  ["safetensors", "i2_s", ...(m === "bitnet-synth-2b4t-packed" ? ["tq2_0"] : [])].flatMap((source) =>
    bitnetVariants(m).map(([name, v]) => [m, source, name, v] as const),
  ),
);

describe("synthetic BitNet models vs transformers float32", () => {
  it("the references hold the variants the tests claim", () => {
    for (const m of BITNET_MODELS) {
      const names = bitnetVariants(m).map(([n]) => n);
      expect(names).toEqual(m === "bitnet-synth-1bitllm" ? ["f32", "f32_noactquant"] : ["f32", "f32_noactquant", "f32_noactquant_silu"]);
    }
  });

  it.each(exactCases)("%s from %s, %s: last logits within 1e-4 and 16 greedy ids equal", (m, source, _name, v) => {
    const model = models.get(key(m, source))!;
    for (const p of v.prompts) {
      const diff = maxAbsDiff(lastLogits(model, p.input_ids, optionsOf(v)), referenceLogits(m, p.last_logits_file));
      expect(diff, p.prompt).toBeLessThan(TOLERANCE);
      expect(greedy(model, p.input_ids, 16, optionsOf(v)), p.prompt).toEqual(p.greedy_ids);
    }
  });

  it.each(["bitnet-synth-1bitllm", "bitnet-synth-2b4t-bf16"])("%s from tq2_0 (fp16 σ of float masters): within 1e-2 without act quant", (m) => {
    const model = models.get(key(m, "tq2_0"))!;
    const [, v] = bitnetVariants(m).find(([n]) => n === "f32_noactquant")!;
    for (const p of v.prompts) {
      const diff = maxAbsDiff(lastLogits(model, p.input_ids, optionsOf(v)), referenceLogits(m, p.last_logits_file));
      expect(diff, p.prompt).toBeLessThan(TQ_FROM_MASTERS_TOLERANCE);
      expect(diff, p.prompt).toBeGreaterThan(TOLERANCE);
    }
  });

  it("defaults follow the checkpoint: act quant on, relu² for 2B-4T, SiLU for 1bitLLM", () => {
    for (const m of BITNET_MODELS) {
      for (const source of ["safetensors", "i2_s", "tq2_0"]) {
        const { config } = models.get(key(m, source))!;
        expect(config.bitnet, `${m} ${source}`).toBe(true);
        expect(config.subNorms).toBe(true);
        expect(config.activation).toBe(m === "bitnet-synth-1bitllm" ? "silu" : "relu2");
      }
    }
    const [, f32] = bitnetVariants("bitnet-synth-2b4t-packed")[0]!;
    const p = f32.prompts[0]!;
    const diff = maxAbsDiff(lastLogits(models.get(key("bitnet-synth-2b4t-packed", "safetensors"))!, p.input_ids), referenceLogits("bitnet-synth-2b4t-packed", p.last_logits_file));
    expect(diff).toBeLessThan(TOLERANCE);
  });

  it("dropping the activation quant is visible: the f32 reference is then missed by far more than 1e-4", () => {
    const m = "bitnet-synth-1bitllm";
    const [, f32] = bitnetVariants(m)[0]!;
    const p = f32.prompts[0]!;
    const diff = maxAbsDiff(lastLogits(models.get(key(m, "safetensors"))!, p.input_ids, { activationQuant: false }), referenceLogits(m, p.last_logits_file));
    expect(diff).toBeGreaterThan(0.01);
  });
});
