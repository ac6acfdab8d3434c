/**
 * The TL1/TL2 tiling to decode a GGUF tensor with. The bytes do not record it, so it comes from,
 * in order: the caller's `tl` option (for every TL tensor); the tiling the converter recorded for
 * this tensor (src/pipeline/metadata.ts: parallel arrays, one entry per TL tensor,
 *   ternpack.<tl1|tl2>.tensors  STRING names    .bm  BM    .bk  BK    .bmm  bm    (UINT32)
 * named after bitnet.cpp's kernel_config.ini); else bitnet.cpp's preset for the shape, else the
 * documented rule (`resolveTlParams`), which is what the converter uses when given no tiling.
 */
import { fail } from "../core/errors.js";
import { GGUF_VALUE_TYPE as T, ggufValueTypeName, type GgufKv } from "../../formats/gguf/value-types.js";
import { resolveTlParams, type TlLayoutName, type TlParamsSource } from "../../formats/layouts/tl-presets.js";
import type { TlParams } from "../../formats/layouts/types.js";

/** The array KVs of a recorded tiling; `source` ("explicit" | "preset:<model>" | "rule") is informative only. */
export type TlKvField = "tensors" | "bm" | "bk" | "bmm" | "source";

export function tlKvKey(layout: TlLayoutName, field: TlKvField): string {
  return `ternpack.${layout}.${field}`;
}

export type TilingSource = "option" | "gguf" | TlParamsSource;

export interface TensorTiling {
  params: TlParams;
  source: TilingSource;
}

const INTEGER_TYPES: readonly number[] = [T.UINT8, T.INT8, T.UINT16, T.INT16, T.UINT32, T.INT32, T.UINT64, T.INT64];

function arrayOf(kv: GgufKv | undefined, key: string): { elementType: number; values: ArrayLike<unknown> } {
  if (kv?.type !== T.ARRAY) fail("INVALID_VALUE", { tensor: key, detail: `${key} must be an array, ${kv ? `has type ${ggufValueTypeName(kv.type)}` : "is missing"}` });
  return kv.value;
}

function integers(kv: GgufKv | undefined, key: string, length: number): number[] {
  const a = arrayOf(kv, key);
  if (!INTEGER_TYPES.includes(a.elementType)) fail("INVALID_VALUE", { tensor: key, detail: `${key} must hold integers (UINT32), holds ${ggufValueTypeName(a.elementType)}` });
  const values = Array.from(a.values, Number);
  if (values.length !== length) fail("INVALID_VALUE", { tensor: key, detail: `${key} has ${values.length} entries, the tensor list has ${length}` });
  const bad = values.findIndex((v) => !Number.isSafeInteger(v) || v <= 0);
  if (bad >= 0) fail("INVALID_VALUE", { tensor: key, detail: `${key}[${bad}] is ${values[bad]}, not a positive integer` });
  return values;
}

/** The tiling the file records for `tensor`, or undefined; INVALID_VALUE when the arrays are malformed. */
export function recordedTiling(kv: ReadonlyMap<string, GgufKv>, layout: TlLayoutName, tensor: string): TlParams | undefined {
  const key = (f: TlKvField) => tlKvKey(layout, f);
  if (!kv.has(key("tensors"))) {
    const stray = (["bm", "bk", "bmm"] as const).map(key).filter((k) => kv.has(k));
    if (stray.length > 0) fail("INVALID_VALUE", { detail: `the file has ${stray.join(", ")} but no ${key("tensors")} saying which tensors they tile` });
    return undefined;
  }
  const names = arrayOf(kv.get(key("tensors")), key("tensors"));
  if (names.elementType !== T.STRING) fail("INVALID_VALUE", { tensor: key("tensors"), detail: `${key("tensors")} must hold strings` });
  const [BM, BK, bm] = (["bm", "bk", "bmm"] as const).map((f) => integers(kv.get(key(f)), key(f), names.values.length)) as [number[], number[], number[]];
  const i = Array.prototype.indexOf.call(names.values, tensor);
  return i < 0 ? undefined : { BM: BM[i]!, BK: BK[i]!, bm: bm[i]! };
}

/** The tiling of one [M, K] tensor; LAYOUT_UNSUPPORTED_SHAPE when it does not fit the shape. */
export function tensorTiling(layout: TlLayoutName, tensor: string, M: number, K: number, option: TlParams | undefined, kv: ReadonlyMap<string, GgufKv>): TensorTiling {
  if (option) return { params: resolveTlParams(layout, M, K, option).params, source: "option" };
  const recorded = recordedTiling(kv, layout, tensor);
  if (recorded) return { params: resolveTlParams(layout, M, K, recorded).params, source: "gguf" };
  const resolved = resolveTlParams(layout, M, K);
  return { params: resolved.params, source: resolved.source };
}
