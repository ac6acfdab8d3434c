/**
 * The output type of each tensor (header facts only):
 * - norms and 1-D tensors: F32, always;
 * - method "none", embeddings, the output head and dense modules: keepType;
 * - block projections (method "absmean"): the ternary layout, with TL tiling resolved per shape;
 * - block projections (method "cb158"): F16 holding the CB158 reconstruction, with the packed size
 *   the target bpw gives (`cb158`), or the fallback when CB158 cannot hold the shape.
 * A layout that cannot hold the shape (TQ: row % 256, I2_S: K % 128, TL without a tiling, Q8_0:
 * row % 32) falls back, with the layout's own reason recorded: ternary tensors to `fallback`
 * (F16 by default, as convert_hf_to_gguf.py does; Q8_0 on request, then F16 if Q8_0 cannot hold
 * it either; "error" refuses), keepType Q8_0 to F16 (gguf-py's rule).
 */
import { isTernpackError, TernpackError } from "../core/errors.js";
import { cb158BudgetBytes } from "../../formats/layouts/cb158-format.js";
import { getLayout } from "../../formats/layouts/index.js";
import { resolveTlParams } from "../../formats/layouts/tl-presets.js";
import type { LayoutParams } from "../../formats/layouts/types.js";
import type { TensorPlanEntry } from "../model/tensor-map.js";
import type { Cb158Resolved, ResolvedOptions } from "./options.js";
import type { Fallback, PlannedTensor } from "./types.js";

export type OutputChoice = Pick<PlannedTensor, "layout" | "params" | "tl" | "ternarize" | "ternaryLayout" | "fallback" | "cb158">;

/** The layout's LAYOUT_UNSUPPORTED_SHAPE reason for `shape`, or undefined when it fits. */
function unsupportedReason(layout: string, shape: readonly number[], params: LayoutParams): string | undefined {
  try {
    getLayout(layout).check(shape, params);
    return undefined;
  } catch (e) {
    if (isTernpackError(e, "LAYOUT_UNSUPPORTED_SHAPE")) return e.detail ?? e.message;
    throw e;
  }
}

function plain(layout: string, ternarize: boolean, fallback?: Fallback): OutputChoice {
  return { layout, params: {}, tl: undefined, ternarize, ternaryLayout: false, fallback };
}

/** A float/Q8_0 type, falling back to F16 when Q8_0 cannot hold the rows. */
function floatType(layout: string, shape: readonly number[], ternarize: boolean, earlier?: Fallback): OutputChoice {
  const reason = unsupportedReason(layout, shape, {});
  if (reason === undefined) return plain(layout, ternarize, earlier);
  const why = earlier ? `${earlier.reason}; ${layout} cannot hold it either: ${reason}` : reason;
  return plain("f16", ternarize, { wanted: earlier?.wanted ?? layout, reason: why });
}

function ternaryType(entry: TensorPlanEntry, o: ResolvedOptions): OutputChoice {
  const shape = entry.shape;
  let params: LayoutParams = {};
  let tl: OutputChoice["tl"];
  let reason: string | undefined;
  try {
    if (o.layout === "tl1" || o.layout === "tl2") {
      const [M, K] = shape as [number, number];
      const r = resolveTlParams(o.layout, M, K, o.tl);
      params = { tl: r.params };
      tl = { params: r.params, source: r.source };
    }
    reason = unsupportedReason(o.layout, shape, params);
  } catch (e) {
    if (!isTernpackError(e, "LAYOUT_UNSUPPORTED_SHAPE")) throw e;
    reason = e.detail ?? e.message;
  }
  if (reason === undefined) return { layout: o.layout, params, tl, ternarize: true, ternaryLayout: true, fallback: undefined };
  if (o.fallback === "error") {
    throw new TernpackError("LAYOUT_UNSUPPORTED_SHAPE", {
      tensor: entry.gguf,
      detail: `${o.layout} cannot hold [${shape.join(", ")}] (fallback is "error"): ${reason}`,
    });
  }
  return floatType(o.fallback, shape, true, { wanted: o.layout, reason });
}

function cb158Type(entry: TensorPlanEntry, o: ResolvedOptions, { bpw, codebook, importance }: Cb158Resolved): OutputChoice {
  const reason = unsupportedReason("cb158", entry.shape, {});
  if (reason === undefined) {
    const packedBytes = cb158BudgetBytes(entry.shape, bpw);
    const effectiveBpw = (8 * packedBytes) / entry.shape.reduce((n, d) => n * d, 1);
    return { ...plain("f16", false), cb158: { bpw, codebook, packedBytes, effectiveBpw, importance: importance.kind } };
  }
  if (o.fallback === "error") {
    throw new TernpackError("LAYOUT_UNSUPPORTED_SHAPE", { tensor: entry.gguf, detail: `cb158 cannot hold [${entry.shape.join(", ")}] (fallback is "error"): ${reason}` });
  }
  return floatType(o.fallback, entry.shape, false, { wanted: "cb158", reason });
}

export function chooseOutput(entry: TensorPlanEntry, o: ResolvedOptions): OutputChoice {
  if (entry.keepF32) return plain("f32", false);
  if (o.method === "absmean" && entry.role === "ternary") return ternaryType(entry, o);
  if (o.cb158 && entry.role === "ternary") return cb158Type(entry, o, o.cb158);
  return floatType(o.keepType, entry.shape, false);
}
