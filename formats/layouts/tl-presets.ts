/**
 * bitnet.cpp's TL1/TL2 kernel presets (ternary-layouts.md §2.5, §3.7) and the resolution of
 * (BM, BK, bm) for a tensor. A TL file does not record its tiling and decodes only with the
 * configuration that wrote it, so the resolved parameters always come back with their source
 * ("explicit" | "preset:<model>" | "rule") for the caller to record in GGUF metadata and print.
 *
 * Preset values are the `setup_env.py` codegen arguments (what bitnet.cpp actually builds).
 * Known conflicts with the shipped `preset_kernels/*.ini` files, resolved in favour of codegen:
 * - Llama3-8B-1.58 TL1: the ini says [14336,4096] 256/128/64, [4096,14336] 256/128/32,
 *   [1024,4096] 128/64/64, [4096,4096] 128/64/32 — all four disagree with setup_env.
 * - bitnet_b1_58-large TL2 [4096,1536]: the ini says bmm = 64, but codegen_tl2 asserts bm = 32.
 * setup_env also hands the Llama3-8B shapes to every Falcon model (wrong shapes for them), and
 * has no shapes for BitNet-b1.58-2B-4T (it reuses the 3B list, so conversion fails with BM = −1).
 */
import { fail } from "../../src/core/errors.js";
import { tlViolations, type TlLayoutName } from "./tl-constraints.js";
import type { LayoutParams, TlParams } from "./types.js";

export type { TlLayoutName } from "./tl-constraints.js";

export interface TlPreset {
  model: string;
  layout: TlLayoutName;
  /** Rows (out_features, GGUF ne1). */
  M: number;
  /** Row length (in_features, GGUF ne0). */
  K: number;
  params: TlParams;
}

const LARGE = "bitnet_b1_58-large";
const B3 = "bitnet_b1_58-3B";
const LLAMA3 = "Llama3-8B-1.58-100B-tokens";

/** [model, M, K, BM, BK, bm] rows; per layout in §2.5 / §3.7 order. */
const TL1_ROWS: ReadonlyArray<readonly [string, number, number, number, number, number]> = [
  [LARGE, 1536, 4096, 256, 128, 32],
  [LARGE, 1536, 1536, 128, 64, 64],
  [LARGE, 4096, 1536, 256, 128, 32],
  [B3, 3200, 8640, 160, 64, 32],
  [B3, 3200, 3200, 320, 128, 64],
  [B3, 8640, 3200, 320, 64, 32],
  [LLAMA3, 14336, 4096, 256, 128, 32],
  [LLAMA3, 4096, 14336, 128, 64, 64],
  [LLAMA3, 1024, 4096, 256, 128, 32],
  [LLAMA3, 4096, 4096, 128, 64, 64],
];

const TL2_ROWS: ReadonlyArray<readonly [string, number, number, number, number, number]> = [
  [LARGE, 1536, 4096, 256, 96, 32],
  [LARGE, 1536, 1536, 128, 192, 32],
  [LARGE, 4096, 1536, 256, 96, 32],
  [B3, 3200, 8640, 160, 96, 32],
  [B3, 3200, 3200, 320, 96, 32],
  [B3, 8640, 3200, 320, 96, 32],
  [LLAMA3, 14336, 4096, 256, 96, 32],
  [LLAMA3, 4096, 14336, 128, 96, 32],
  [LLAMA3, 1024, 4096, 256, 96, 32],
  [LLAMA3, 4096, 4096, 128, 96, 32],
];

function presets(layout: TlLayoutName, rows: typeof TL1_ROWS): TlPreset[] {
  return rows.map(([model, M, K, BM, BK, bm]) => ({ model, layout, M, K, params: { BM, BK, bm } }));
}

/** Every preset shape of both layouts. No two presets of one layout share a shape. */
export const TL_PRESETS: readonly TlPreset[] = [...presets("tl1", TL1_ROWS), ...presets("tl2", TL2_ROWS)];

/** The preset for exactly this layout and shape, if bitnet.cpp has one. */
export function findTlPreset(layout: TlLayoutName, M: number, K: number): TlPreset | undefined {
  return TL_PRESETS.find((p) => p.layout === layout && p.M === M && p.K === K);
}

export type TlParamsSource = "explicit" | `preset:${string}` | "rule";

export interface ResolvedTlParams {
  layout: TlLayoutName;
  params: TlParams;
  source: TlParamsSource;
}

/**
 * Candidates of the fallback rule, in preference order. Both layouts take the largest M-tile of
 * {256, 160, 128, 64, 32} dividing M (bigger tiles amortise the activation LUT; every preset
 * tile is one of these or 320) and bm = 32: it divides every candidate BM (160 is not a
 * multiple of 64), TL2 requires it, and 6 of the 10 TL1 presets use it. TL1 then takes the
 * largest BK of {128, 64, 32} dividing K (presets use only 128/64, so larger K-blocks are
 * untested on the kernel; by = 8 divides them all). TL2 takes the first BK of
 * {96, 192, 48, 24} whose pair tail (K mod BK) is a multiple of 32, 96 first as in 9 of the 10
 * TL2 presets.
 */
const RULE_BM = [256, 160, 128, 64, 32];
const RULE_BK: Record<TlLayoutName, number[]> = { tl1: [128, 64, 32], tl2: [96, 192, 48, 24] };
const RULE_SUBTILE = 32;

function byRule(layout: TlLayoutName, M: number, K: number): TlParams {
  const bm = RULE_SUBTILE;
  const BM = RULE_BM.find((c) => M % c === 0);
  // Without a usable M-tile, judge the K side alone (on one 32-row tile) so the report says why.
  const [rows, tile] = BM === undefined ? [bm, bm] : [M, BM];
  const fitsK = (BK: number) => tlViolations(layout, rows, K, { BM: tile, BK, bm });
  const BK = RULE_BK[layout].find((c) => fitsK(c).length === 0);
  if (BM === undefined || BK === undefined) {
    const tried: string[] = [];
    if (BM === undefined) tried.push(`BM ∈ {${RULE_BM.join(", ")}}: none divides M=${M}`);
    if (BK === undefined) {
      const why = fitsK(RULE_BK[layout][0]!).join("; ");
      tried.push(`BK ∈ {${RULE_BK[layout].join(", ")}} with bm=${bm}: none fits K=${K} (e.g. ${why})`);
    }
    fail("LAYOUT_UNSUPPORTED_SHAPE", {
      detail:
        `${layout.toUpperCase()} cannot tile [${M}, ${K}] with the fallback rule (tried ${tried.join("; ")}); ` +
        `no bitnet.cpp preset matches either — store this tensor as I2_S, TQ2_0 or F16, or pass explicit BM/BK/bm`,
    });
  }
  return { BM, BK, bm };
}

function rejectInvalid(layout: TlLayoutName, M: number, K: number, params: TlParams, source: string): void {
  const bad = tlViolations(layout, M, K, params);
  if (bad.length > 0) {
    const { BM, BK, bm } = params;
    fail("LAYOUT_UNSUPPORTED_SHAPE", {
      detail: `${layout.toUpperCase()} [${M}, ${K}] with ${source} BM=${BM} BK=${BK} bm=${bm}: ${bad.join("; ")}`,
    });
  }
}

/**
 * (BM, BK, bm) for a TL tensor: explicit parameters win (validated), else the exact preset for
 * the shape, else the documented fallback rule above. Throws LAYOUT_UNSUPPORTED_SHAPE naming the
 * violated constraints, or everything the rule tried.
 */
export function resolveTlParams(layout: TlLayoutName, M: number, K: number, explicit?: TlParams): ResolvedTlParams {
  if (explicit) {
    rejectInvalid(layout, M, K, explicit, "explicit");
    return { layout, params: { ...explicit }, source: "explicit" };
  }
  const preset = findTlPreset(layout, M, K);
  if (preset) {
    rejectInvalid(layout, M, K, preset.params, `preset ${preset.model}`);
    return { layout, params: { ...preset.params }, source: `preset:${preset.model}` };
  }
  return { layout, params: byRule(layout, M, K), source: "rule" };
}

/**
 * What the layouts themselves accept: `params.tl`, or failing that the exact preset — never the
 * rule, which only `resolveTlParams` applies so that its choice is visible to the caller.
 */
export function requireTlParams(layout: TlLayoutName, M: number, K: number, params?: LayoutParams): TlParams {
  if (params?.tl) return resolveTlParams(layout, M, K, params.tl).params;
  const preset = findTlPreset(layout, M, K);
  if (!preset) {
    fail("LAYOUT_UNSUPPORTED_SHAPE", {
      detail:
        `${layout.toUpperCase()} [${M}, ${K}]: no tiling given (params.tl) and no bitnet.cpp preset for this shape; ` +
        `choose BM/BK/bm explicitly or with resolveTlParams() and record them`,
    });
  }
  return resolveTlParams(layout, M, K, preset.params).params;
}
