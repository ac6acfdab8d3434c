/**
 * RoPE settings from a config: the base frequency and the scaling. transformers 5 saves both
 * inside `rope_parameters` (no top-level `rope_theta`); convert-2025 missed that and wrote no
 * `rope.freq_base`, so llama.cpp used 10000 instead of 500000 (models README finding 9).
 */
import { badField } from "./config-fields.js";
import type { RawConfig } from "./config-schema.js";
import type { RopeScaling } from "./spec.js";

export interface ResolvedRope {
  theta: number;
  /** True when neither rope_theta nor rope_parameters.rope_theta is present. */
  thetaDefaulted: boolean;
  scaling: RopeScaling | undefined;
}

export function resolveRope(c: RawConfig, defaultTheta: number, file: string): ResolvedRope {
  const given = c.rope_theta ?? c.rope_parameters?.rope_theta ?? undefined;
  return { theta: given ?? defaultTheta, thetaDefaulted: given === undefined, scaling: resolveScaling(c, file) };
}

/**
 * Only linear scaling has GGUF keys ternpack writes; llama3 scaling needs a rope_freqs tensor and
 * yarn/dynamic/longrope need keys and tensors ternpack does not produce, so those are refused.
 */
function resolveScaling(c: RawConfig, file: string): RopeScaling | undefined {
  const [field, params] = c.rope_scaling != null ? ["rope_scaling", c.rope_scaling] : ["rope_parameters", c.rope_parameters];
  if (params == null) return undefined;
  const typeField = params.rope_type != null ? "rope_type" : "type";
  const type = params.rope_type ?? params.type ?? undefined;
  if (type === undefined || type === "default") return undefined;
  if (type !== "linear") {
    return badField(file, `${field}.${typeField}`, `${JSON.stringify(type)} is not supported (ternpack writes only linear RoPE scaling)`);
  }
  if (params.factor == null) return badField(file, `${field}.factor`, "linear RoPE scaling needs a factor, got nothing");
  return { type: "linear", factor: params.factor };
}
