/**
 * What a model card says about a GGUF, read from the KVs ternpack writes (src/model/provenance.ts,
 * src/model/gguf-metadata.ts, src/pipeline/metadata.ts): names, provenance, the CB158 settings
 * (`ternpack.cb158.*`) and where TL tilings came from (`ternpack.tl*.source`).
 */
import { GGUF_VALUE_TYPE as T, type GgufKv } from "../../formats/gguf/value-types.js";
import { GENERAL, baseModelKey } from "../../formats/gguf/keys.js";
import type { ModelFacts } from "./validated-file.js";

export type KvMap = ReadonlyMap<string, GgufKv>;

export function kvString(kv: KvMap, key: string): string | undefined {
  const v = kv.get(key);
  return v?.type === T.STRING ? v.value : undefined;
}

export function kvNumber(kv: KvMap, key: string): number | undefined {
  const v = kv.get(key);
  if (v === undefined || v.type === T.STRING || v.type === T.ARRAY || v.type === T.BOOL) return undefined;
  return Number(v.value);
}

/** The `https://huggingface.co/owner/name` (or any `…/owner/name`) URL's repo id. */
export function repoIdFromUrl(url: string | undefined): string | undefined {
  const m = url === undefined ? null : /^https?:\/\/[^/]+\/([\w.-]+\/[\w.-]+)\/?$/.exec(url);
  return m?.[1];
}

/** Facts of a GGUF's first (or only) shard. */
export function ggufFacts(kv: KvMap): ModelFacts {
  const arch = kvString(kv, GENERAL.ARCHITECTURE);
  const cb158Bpw = kvNumber(kv, "ternpack.cb158.bpw");
  const cb158 =
    cb158Bpw === undefined
      ? undefined
      : `CB158 at a target of ${Math.round(cb158Bpw * 1000) / 1000} bits per weight (importance: ${kvString(kv, "ternpack.cb158.importance") ?? "unknown"}), ` +
        `written dequantized (${kvString(kv, "ternpack.cb158.export") ?? "unknown export"})`;
  const tiling = ["tl1", "tl2"].flatMap((l) => {
    const sources = kv.get(`ternpack.${l}.source`);
    if (sources?.type !== T.ARRAY || sources.value.elementType !== T.STRING) return [];
    return [`${l.toUpperCase()} tiling chosen by: ${[...new Set(sources.value.values as string[])].join(", ")}`];
  });
  const baseRepo = repoIdFromUrl(kvString(kv, baseModelKey(0, "repo_url"))) ?? repoIdFromUrl(kvString(kv, GENERAL.SOURCE_REPO_URL));
  return {
    ...(kvString(kv, GENERAL.NAME) !== undefined ? { name: kvString(kv, GENERAL.NAME)! } : {}),
    ...(arch !== undefined ? { architecture: arch } : {}),
    ...(kvString(kv, GENERAL.QUANTIZED_BY) !== undefined ? { quantizedBy: kvString(kv, GENERAL.QUANTIZED_BY)! } : {}),
    ...(kvString(kv, GENERAL.LICENSE) !== undefined ? { license: kvString(kv, GENERAL.LICENSE)! } : {}),
    ...(baseRepo !== undefined ? { baseModel: baseRepo } : {}),
    ...(arch !== undefined && kvNumber(kv, `${arch}.context_length`) !== undefined ? { contextLength: kvNumber(kv, `${arch}.context_length`)! } : {}),
    ...(cb158 !== undefined ? { cb158 } : {}),
    tiling,
  };
}
