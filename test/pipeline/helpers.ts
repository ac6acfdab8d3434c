/** Shared pieces of the pipeline tests: temp folders, GGUF tensor hashes, reference summaries. */
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, expect } from "vitest";
import { openFileSource } from "../../src/core/io.js";
import { readGguf, readTensorData } from "../../formats/gguf/reader.js";
import type { GgufFile } from "../../formats/gguf/parse.js";
import { GGUF_VALUE_TYPE, ggufValueTypeName, type GgufKv } from "../../formats/gguf/value-types.js";
import { fixturePath, readJson, sha256 } from "../helpers/fixtures.js";

export const TINYSTORIES = fixturePath("tinystories-656k");
export const model = (name: string) => fixturePath("models", name);

/** A fresh temporary folder per test, removed afterwards. */
export function useTempDir(): () => Promise<string> {
  const made: string[] = [];
  afterEach(async () => {
    await Promise.all(made.splice(0).map((d) => rm(d, { recursive: true, force: true })));
  });
  return async () => {
    const dir = await mkdtemp(join(tmpdir(), "ternpack-pipeline-"));
    made.push(dir);
    return dir;
  };
}

export const listDir = (dir: string) => readdir(dir).then((names) => names.sort());

export interface GgufContents {
  gguf: GgufFile;
  /** Tensor name → payload bytes. */
  data: Map<string, Uint8Array>;
}

/** Parses a GGUF and reads every tensor's payload. */
export async function readGgufFully(path: string): Promise<GgufContents> {
  const source = await openFileSource(path);
  try {
    const gguf = await readGguf(source);
    const data = new Map<string, Uint8Array>();
    for (const t of gguf.tensors) data.set(t.name, await readTensorData(source, t));
    return { gguf, data };
  } finally {
    await source.close();
  }
}

export const hashOf = (bytes: Uint8Array) => sha256(bytes);

/** A reference GGUF summary (fixtures/models/<model>/reference/<file>). */
export interface ReferenceSummary {
  kv: { key: string; type: string; value?: unknown; elem_type?: string; count?: number; sha256_raw_elements?: string }[];
  tensors: { name: string; type: string; type_id: number; ne: number[]; n_bytes: number; offset: number; sha256: string }[];
}

export function referenceSummary(modelName: string, file: string): ReferenceSummary {
  return readJson<ReferenceSummary>("models", modelName, "reference", file);
}

const encoder = new TextEncoder();

/** A KV as the reference summaries give it: scalars by value, arrays by the sha256 of their element bytes. */
export function summarizeKv(kv: GgufKv): { type: string; value?: unknown; elem_type?: string; count?: number; sha256_raw_elements?: string } {
  if (kv.type !== GGUF_VALUE_TYPE.ARRAY) return { type: ggufValueTypeName(kv.type), value: typeof kv.value === "bigint" ? Number(kv.value) : kv.value };
  const { elementType, values } = kv.value;
  let raw: Uint8Array;
  if (elementType === GGUF_VALUE_TYPE.STRING) {
    const parts = (values as string[]).map((s) => encoder.encode(s));
    raw = new Uint8Array(parts.reduce((n, p) => n + 8 + p.length, 0));
    const view = new DataView(raw.buffer);
    let at = 0;
    for (const p of parts) {
      view.setBigUint64(at, BigInt(p.length), true);
      raw.set(p, at + 8);
      at += 8 + p.length;
    }
  } else if (elementType === GGUF_VALUE_TYPE.BOOL) {
    raw = Uint8Array.from(values as boolean[], (b) => (b ? 1 : 0));
  } else {
    const typed = values as ArrayBufferView;
    raw = new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength);
  }
  return { type: "ARRAY", elem_type: ggufValueTypeName(elementType), count: (values as ArrayLike<unknown>).length, sha256_raw_elements: sha256(raw) };
}

/** Reference KV entry in the same form as summarizeKv (arrays: count + hash; `value` only for short arrays). */
export function referenceKvForm(kv: ReferenceSummary["kv"][number]): ReturnType<typeof summarizeKv> {
  if (kv.type !== "ARRAY") return { type: kv.type, value: kv.value };
  return { type: "ARRAY", elem_type: kv.elem_type, count: kv.count, sha256_raw_elements: kv.sha256_raw_elements };
}

/** KVs the converters derive from the input folder's name (models README): not comparable. */
const FOLDER_DERIVED = new Set(["general.name", "general.basename", "general.finetune"]);

/**
 * Checks a GGUF against a reference converter's summary: tensor names, order, types, dims, offsets
 * and bytes, and every reference KV except the folder-derived ones. The SPM scores are compared by
 * count only: ternpack derives them from the BPE merge ranks where convert_hf_to_gguf.py writes a
 * flat −1000 (models README, finding 3).
 */
export function expectMatchesReference(contents: GgufContents, ref: ReferenceSummary): void {
  const { gguf, data } = contents;
  expect(gguf.tensors.map((t) => [t.name, t.type, t.dims])).toEqual(ref.tensors.map((t) => [t.name, t.type_id, t.ne]));
  expect(gguf.tensors.map((t) => t.offset)).toEqual(ref.tensors.map((t) => t.offset));
  for (const t of ref.tensors) expect(hashOf(data.get(t.name)!), t.name).toBe(t.sha256);
  const ours = new Map([...gguf.kv].map(([k, v]) => [k, summarizeKv(v)]));
  for (const kv of ref.kv) {
    if (FOLDER_DERIVED.has(kv.key)) continue;
    if (kv.key === "tokenizer.ggml.scores") expect(ours.get(kv.key)?.count, kv.key).toBe(kv.count);
    else expect(ours.get(kv.key), kv.key).toEqual(referenceKvForm(kv));
  }
}
