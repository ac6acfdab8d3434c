/**
 * How a HF BitNet checkpoint's `weight_scale` maps to the dequant multiplier σ (W ≈ σ·t),
 * read from `config.quantization_config` (ternary-layouts.md §6.1, models.md §1):
 *   linear_class "bitlinear"     → weight_scale = 1/mean|W| → σ = 1/ws (divide)
 *   linear_class "autobitlinear" → weight_scale = mean|W|   → σ = ws   (multiply)
 * A missing linear_class means bitlinear (transformers' default); the result records that it was
 * defaulted so callers print it: the convention is never guessed silently.
 */
import { fail } from "../core/errors.js";

export type LinearClass = "bitlinear" | "autobitlinear";
export type QuantizationMode = "offline" | "online";
/** divide: σ = 1/weight_scale; multiply: σ = weight_scale. */
export type ScaleRule = "divide" | "multiply";

export interface WeightScaleConvention {
  convention: ScaleRule;
  linearClass: LinearClass;
  /** Where linearClass (hence the convention) came from. */
  source: "config" | "default";
  /** offline: packed U8 weights + weight_scale; online: float masters, no weight_scale. */
  mode: QuantizationMode;
  modeSource: "config" | "default";
}

/** What hfPackedToTernary accepts: the rule itself or a convention read from a config. */
export type ScaleConvention = ScaleRule | WeightScaleConvention;

const RULE_OF: Record<LinearClass, ScaleRule> = { bitlinear: "divide", autobitlinear: "multiply" };
const MODES: readonly QuantizationMode[] = ["offline", "online"];

/** A string field from one of `allowed`, or undefined when absent (null counts as absent). */
function choice<T extends string>(qc: Record<string, unknown>, field: string, allowed: readonly T[]): T | undefined {
  const v = qc[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string" || !(allowed as readonly string[]).includes(v)) {
    fail("INVALID_CONFIG", { detail: `quantization_config.${field} = ${JSON.stringify(v)} (expected ${allowed.map((a) => `"${a}"`).join(" or ")})` });
  }
  return v as T;
}

/** Reads `config.quantization_config` of a HF config.json object. Throws INVALID_CONFIG naming the field. */
export function weightScaleConvention(config: Record<string, unknown>): WeightScaleConvention {
  const qc = config["quantization_config"];
  if (qc === null || typeof qc !== "object" || Array.isArray(qc)) {
    fail("INVALID_CONFIG", { detail: `quantization_config is ${qc === undefined ? "missing" : JSON.stringify(qc)} (expected an object with quant_method "bitnet")` });
  }
  const fields = qc as Record<string, unknown>;
  if (fields["quant_method"] !== "bitnet") {
    fail("INVALID_CONFIG", { detail: `quantization_config.quant_method = ${JSON.stringify(fields["quant_method"])} (expected "bitnet")` });
  }
  const linearClass = choice(fields, "linear_class", Object.keys(RULE_OF) as LinearClass[]);
  const mode = choice(fields, "quantization_mode", MODES);
  return {
    convention: RULE_OF[linearClass ?? "bitlinear"],
    linearClass: linearClass ?? "bitlinear",
    source: linearClass === undefined ? "default" : "config",
    mode: mode ?? "offline",
    modeSource: mode === undefined ? "default" : "config",
  };
}

/** One line for logs, GGUF metadata and model cards, saying when the class was defaulted. */
export function describeWeightScaleConvention(c: WeightScaleConvention): string {
  const origin = c.source === "default" ? " (defaulted: quantization_config has no linear_class)" : "";
  const rule = c.convention === "divide" ? "σ = 1 / weight_scale" : "σ = weight_scale";
  return `${c.linearClass}${origin}, ${c.mode}: ${rule}`;
}

/** σ in float32 from a stored weight_scale (already widened to float32 from the model dtype). */
export function sigmaFromWeightScale(weightScale: number, convention: ScaleConvention, tensor?: string): number {
  const rule = typeof convention === "string" ? convention : convention.convention;
  if (typeof convention !== "string" && convention.mode === "online") {
    fail("INVALID_CONFIG", { tensor, detail: "quantization_mode online stores float masters, not weight_scale" });
  }
  const ws = Math.fround(weightScale);
  if (!Number.isFinite(ws)) fail("NON_FINITE", { tensor, detail: `weight_scale is ${ws}` });
  if (!(ws > 0)) fail("INVALID_SCALE", { tensor, detail: `weight_scale must be positive, got ${ws}` });
  const sigma = Math.fround(rule === "divide" ? 1 / ws : ws);
  if (!Number.isFinite(sigma) || sigma === 0) fail("NON_FINITE", { tensor, detail: `σ from weight_scale ${weightScale} (${rule}) is ${sigma}` });
  return sigma;
}
