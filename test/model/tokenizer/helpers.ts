/**
 * Test helpers: the model folders' tokenizer files from fixtures/tokenizers/manifest.json (hash
 * checked), the reference GGUF summaries, and our KVs summarised the same way — array elements
 * encoded by the GGUF writer's own encoder, exactly as they are stored in the file.
 */
import { encodeKv } from "../../../formats/gguf/kv-encode.js";
import { GGUF_VALUE_TYPE as T, ggufValueTypeName } from "../../../formats/gguf/value-types.js";
import type { TokenizerFiles, TokenizerKv } from "../../../src/model/tokenizer/index.js";
import { readFixture, readJson, sha256 } from "../../helpers/fixtures.js";

export interface KvSummary {
  key: string;
  type: string;
  value?: unknown;
  elem_type?: string;
  count?: number;
  sha256_raw_elements?: string;
  raw_elements_nbytes?: number;
  first?: unknown[];
}

export interface ReferenceGguf {
  file: string;
  kv: KvSummary[];
}

interface Manifest {
  models: Record<string, { files: Record<string, { path: string; sha256: string }>; references: string[] }>;
  files: Record<string, { sha256: string }>;
}

export const manifest = readJson<Manifest>("tokenizers", "manifest.json");

/** A fixture listed in the manifest, after checking it is the shared original byte for byte. */
export function checkedFixture(path: string, expectedSha: string): Uint8Array {
  const bytes = readFixture(path);
  const got = sha256(bytes);
  if (got !== expectedSha) throw new Error(`fixture ${path} has sha256 ${got}, manifest says ${expectedSha}`);
  return bytes;
}

export function modelFiles(model: string): TokenizerFiles {
  const entry = manifest.models[model];
  if (entry === undefined) throw new Error(`no model ${model} in the manifest`);
  const files: Record<string, Uint8Array> = {};
  for (const [name, f] of Object.entries(entry.files)) files[name] = checkedFixture(f.path, f.sha256);
  return files;
}

export function manifestFile(path: string): Uint8Array {
  const entry = manifest.files[path];
  if (entry === undefined) throw new Error(`no file ${path} in the manifest`);
  return checkedFixture(path, entry.sha256);
}

export function referenceGguf(path: string): ReferenceGguf {
  return readJson<ReferenceGguf>(path);
}

export function tokenizerKvsOf(ref: ReferenceGguf): KvSummary[] {
  return ref.kv.filter((kv) => kv.key.startsWith("tokenizer."));
}

/** The array's element bytes as the GGUF writer stores them (after element type u32 and count u64). */
export function rawElements(kv: TokenizerKv): Uint8Array {
  const record = encodeKv(kv.key, kv);
  const header = 8 + new TextEncoder().encode(kv.key).length + 4 + 4 + 8;
  return record.subarray(header);
}

export function summarize(kv: TokenizerKv): KvSummary {
  if (kv.type !== T.ARRAY) return { key: kv.key, type: ggufValueTypeName(kv.type), value: kv.value };
  const raw = rawElements(kv);
  return {
    key: kv.key,
    type: "ARRAY",
    elem_type: ggufValueTypeName(kv.value.elementType),
    count: kv.value.values.length,
    sha256_raw_elements: sha256(raw),
    raw_elements_nbytes: raw.length,
  };
}

/** Our KV projected onto the fields the reference entry lists (short arrays are listed by value). */
export function projectLike(kv: TokenizerKv, ref: KvSummary): Record<string, unknown> {
  const s = summarize(kv) as unknown as Record<string, unknown>;
  const values = kv.type === T.ARRAY ? Array.from(kv.value.values as ArrayLike<unknown>) : undefined;
  const out: Record<string, unknown> = {};
  for (const field of Object.keys(ref)) {
    if (values !== undefined && field === "value") out[field] = values;
    else if (values !== undefined && field === "first") out[field] = values.slice(0, 4);
    else out[field] = s[field];
  }
  return out;
}

export function f32Bytes(values: ArrayLike<number>): Uint8Array {
  return new Uint8Array(Float32Array.from(values).buffer);
}

export function kvByKey(kvs: readonly TokenizerKv[], key: string): TokenizerKv {
  const kv = kvs.find((k) => k.key === key);
  if (kv === undefined) throw new Error(`no KV ${key}`);
  return kv;
}

/** Array values of a KV (throws when it is not an array). */
export function arrayValues(kvs: readonly TokenizerKv[], key: string): ArrayLike<unknown> {
  const kv = kvByKey(kvs, key);
  if (kv.type !== T.ARRAY) throw new Error(`${key} is not an array`);
  return kv.value.values;
}

export function textFiles(files: Record<string, unknown>): TokenizerFiles {
  return Object.fromEntries(Object.entries(files).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]));
}
