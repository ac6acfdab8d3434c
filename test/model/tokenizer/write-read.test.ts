/**
 * The KVs go into the GGUF writer as they are and read back identically with our reader and with
 * @huggingface/gguf (an independent parser); loadTokenizerFiles reads a model folder from disk.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gguf as hfGguf } from "@huggingface/gguf";
import { afterAll, expect, it } from "vitest";
import { GGUF_VALUE_TYPE as T, readGguf, writeGgufFile, type GgufKvInput } from "../../../formats/gguf/index.js";
import { loadTokenizerFiles, tokenizerMetadata } from "../../../src/model/tokenizer/index.js";
import { fixturePath } from "../../helpers/fixtures.js";
import { arrayValues, modelFiles, summarize } from "./helpers.js";

const dir = await mkdtemp(join(tmpdir(), "ternpack-tokenizer-"));
afterAll(() => rm(dir, { recursive: true, force: true }));

it("loadTokenizerFiles reads the folder's tokenizer files and gives the same KVs", async () => {
  const files = await loadTokenizerFiles(fixturePath("tinystories-656k"));
  expect(Object.keys(files).sort()).toEqual(["config.json", "special_tokens_map.json", "tokenizer.json", "tokenizer_config.json"]);
  const fromDisk = tokenizerMetadata(files).kv.map(summarize);
  expect(fromDisk).toEqual(tokenizerMetadata(modelFiles("tinystories-656k")).kv.map(summarize));
});

it("the TinyStories KVs written by the GGUF writer read back the same with both readers", async () => {
  const { kv } = tokenizerMetadata(modelFiles("tinystories-656k"));
  const path = join(dir, "tokenizer.gguf");
  const all: [string, GgufKvInput][] = [["general.architecture", { type: T.STRING, value: "llama" }], ...kv.map((k) => [k.key, k] as [string, GgufKvInput])];
  await writeGgufFile(path, { kv: all, tensors: [] });

  const ours = await readGguf(path);
  expect([...ours.kv.keys()].slice(1)).toEqual(kv.map((k) => k.key));
  for (const k of kv) expect(summarize({ key: k.key, ...(ours.kv.get(k.key) as GgufKvInput) })).toEqual(summarize(k));

  const { metadata } = await hfGguf(path, { allowLocalFile: true });
  const m = metadata as unknown as Record<string, unknown>;
  expect(m["tokenizer.ggml.tokens"]).toEqual(arrayValues(kv, "tokenizer.ggml.tokens"));
  expect(m["tokenizer.ggml.scores"]).toEqual(Array.from(arrayValues(kv, "tokenizer.ggml.scores") as Float32Array));
  expect(m["tokenizer.ggml.bos_token_id"]).toBe(1);
  expect(m["tokenizer.ggml.add_sep_token"]).toBe(false);
});
