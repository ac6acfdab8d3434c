/**
 * Loads a Hugging Face checkpoint folder (config.json + safetensors) for evaluation, with
 * transformers' weight semantics: HF packed U8 projections unpacked to σ·t; float masters of
 * online-quantized BitNet projections (1bitLLM, `quantization_mode: online`) replaced by their
 * absmean fake quantization t/s (transformers' WeightQuant); everything else as stored, in HF row
 * order (no q/k permutation).
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { openCheckpoint, type Checkpoint } from "../../formats/safetensors/index.js";
import { parseModelConfigText } from "../model/config.js";
import type { ModelSpec } from "../model/spec.js";
import { planTensors, type TensorPlanEntry } from "../model/tensor-map.js";
import { EMBEDDING, LM_HEAD } from "../model/tensor-names.js";
import { absmeanTernarize, fakeQuantize } from "../quant/absmean.js";
import { hfPackedToTernary } from "../quant/hf-packed.js";
import { evalConfigFromSpec } from "./config.js";
import { assembleWeights, type EvalModel, type LoadedTensor } from "./weights.js";

export interface LoadSafetensorsOptions {
  /** config.json path (default `<folder>/config.json`). */
  config?: string;
}

/** Whether block projections are float masters that transformers ternarizes on the fly. */
function onlineTernary(spec: ModelSpec): boolean {
  if (spec.quantization !== undefined) return spec.quantization.weightScale.mode === "online";
  return spec.family !== "llama";
}

async function sameBytes(ckpt: Checkpoint, a: string, b: string): Promise<boolean> {
  const [x, y] = await Promise.all([ckpt.readBytes(a), ckpt.readBytes(b)]);
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

async function entryValues(ckpt: Checkpoint, spec: ModelSpec, e: TensorPlanEntry): Promise<Float32Array> {
  if (e.packed) {
    const packed = (await ckpt.readTyped(e.source)) as Uint8Array;
    const ws = (await ckpt.readFloat32(e.packed.weightScale))[0]!;
    const t = hfPackedToTernary(packed, e.sourceShape, e.packed.outFeatures, ws, e.packed.convention, e.source);
    const out = new Float32Array(t.codes.length);
    for (let i = 0; i < out.length; i++) out[i] = t.codes[i]! * t.scale;
    return out;
  }
  const values = await ckpt.readFloat32(e.source);
  if (e.role !== "ternary" || e.denseBecause !== undefined || !onlineTernary(spec)) return values;
  return fakeQuantize(values, absmeanTernarize(values, e.shape, { granularity: "tensor", tensor: e.source }));
}

/** Reads every tensor the graph needs from the checkpoint in `folder`. */
export async function loadSafetensorsModel(folder: string, options: LoadSafetensorsOptions = {}): Promise<EvalModel> {
  const configPath = options.config ?? join(folder, "config.json");
  const spec = parseModelConfigText(await readFile(configPath, "utf8"), { file: configPath });
  const ckpt = await openCheckpoint(folder);
  try {
    const both = ckpt.get(EMBEDDING) !== undefined && ckpt.get(LM_HEAD) !== undefined;
    const plan = planTensors(spec, ckpt.tensors, {
      aliases: ckpt.aliases,
      headEqualsEmbedding: both ? await sameBytes(ckpt, EMBEDDING, LM_HEAD) : undefined,
    });
    const tensors = new Map<string, LoadedTensor>();
    for (const e of plan.entries) tensors.set(e.gguf, { shape: e.shape, data: await entryValues(ckpt, spec, e), dense: e.denseBecause !== undefined });
    const config = evalConfigFromSpec(spec);
    return { config, weights: assembleWeights(config, (n) => tensors.get(n)) };
  } finally {
    await ckpt.close();
  }
}
