/**
 * The TL1/TL2 tiling to decode a GGUF tensor with. The bytes do not record it, so it comes from,
 * in order: the caller's `tl` option; the file's KVs `ternpack.<layout>.BM` / `.BK` / `.bm`
 * (integers, UINT32 as written by ternpack); else bitnet.cpp's preset for the shape, else the
 * documented rule (`resolveTlParams`), which is what the converter uses when given no tiling.
 * One tiling per layout per file: a converter that tiles shapes differently records no KVs.
 */
import { fail } from "../core/errors.js";
import { GGUF_VALUE_TYPE as T, ggufValueTypeName, type GgufKv } from "../../formats/gguf/value-types.js";
import { resolveTlParams, type TlLayoutName, type TlParamsSource } from "../../formats/layouts/tl-presets.js";
import type { TlParams } from "../../formats/layouts/types.js";

const FIELDS = ["BM", "BK", "bm"] as const;

/** `ternpack.tl1.BM` and friends: the KV holding each tiling parameter of a TL layout. */
export function tlTilingKey(layout: TlLayoutName, field: keyof TlParams): string {
  return `ternpack.${layout}.${field}`;
}

export type TilingSource = "option" | "gguf" | TlParamsSource;

export interface TensorTiling {
  params: TlParams;
  source: TilingSource;
}

const INTEGER_TYPES: readonly number[] = [T.UINT8, T.INT8, T.UINT16, T.INT16, T.UINT32, T.INT32, T.UINT64, T.INT64];

function integerValue(kv: GgufKv, key: string): number {
  if (!INTEGER_TYPES.includes(kv.type)) {
    fail("INVALID_VALUE", { tensor: key, detail: `${key} must be an integer (UINT32), has value type ${ggufValueTypeName(kv.type)}` });
  }
  const n = Number(kv.value);
  if (!Number.isSafeInteger(n) || n <= 0) fail("INVALID_VALUE", { tensor: key, detail: `${key} must be a positive integer, got ${String(kv.value)}` });
  return n;
}

/** The tiling the file records for `layout`, or undefined when it records none; INVALID_VALUE when only part of it. */
export function recordedTiling(kv: ReadonlyMap<string, GgufKv>, layout: TlLayoutName): TlParams | undefined {
  const keys = FIELDS.map((f) => tlTilingKey(layout, f));
  const present = keys.filter((k) => kv.has(k));
  if (present.length === 0) return undefined;
  if (present.length < keys.length) {
    fail("INVALID_VALUE", { detail: `the file records ${present.join(", ")} but not ${keys.filter((k) => !kv.has(k)).join(", ")}` });
  }
  const [BM, BK, bm] = keys.map((k) => integerValue(kv.get(k)!, k)) as [number, number, number];
  return { BM, BK, bm };
}

/** The tiling of one [M, K] tensor; LAYOUT_UNSUPPORTED_SHAPE when it does not fit the shape. */
export function tensorTiling(layout: TlLayoutName, M: number, K: number, option: TlParams | undefined, kv: ReadonlyMap<string, GgufKv>): TensorTiling {
  if (option) return { params: resolveTlParams(layout, M, K, option).params, source: "option" };
  const recorded = recordedTiling(kv, layout);
  if (recorded) return { params: resolveTlParams(layout, M, K, recorded).params, source: "gguf" };
  const resolved = resolveTlParams(layout, M, K);
  return { params: resolved.params, source: resolved.source };
}
