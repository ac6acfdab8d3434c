/**
 * The parts of a Hugging Face `tokenizer.json` the GGUF metadata needs, validated once here so the
 * builders can trust them: the BPE model (vocab by id, merges, flags), added tokens, and the
 * normalizer / pre-tokenizer / post-processor / decoder sections (kept as raw JSON objects).
 */
import { fail } from "../../core/errors.js";
import { boolField, isObject, objectField, stringField } from "./files.js";
import { parseMerges, type MergePairs } from "./merges.js";

const FILE = "tokenizer.json";

export interface AddedToken {
  id: number;
  content: string;
  special: boolean;
}

export interface HfBpeModel {
  /** Token text by id; ids missing from the vocab are holes (undefined). */
  byId: (string | undefined)[];
  merges: MergePairs;
  byteFallback: boolean;
  ignoreMerges: boolean;
  unkToken: string | undefined;
}

export interface HfTokenizerJson {
  /** `model.type`: "BPE", "Unigram", "WordPiece", "WordLevel". */
  modelType: string;
  /** Present when modelType is "BPE". */
  bpe: HfBpeModel | undefined;
  addedTokens: AddedToken[];
  normalizer: Record<string, unknown> | undefined;
  preTokenizer: Record<string, unknown> | undefined;
  postProcessor: Record<string, unknown> | undefined;
  decoder: Record<string, unknown> | undefined;
}

export function readTokenizerJson(json: Record<string, unknown>): HfTokenizerJson {
  const model = objectField(json, "model");
  if (model === undefined) fail("INVALID_CONFIG", { file: FILE, detail: "no \"model\" object" });
  const modelType = stringField(model, "type");
  if (modelType === undefined) fail("INVALID_CONFIG", { file: FILE, detail: "model.type is missing" });
  return {
    modelType,
    bpe: modelType === "BPE" ? readBpeModel(model) : undefined,
    addedTokens: readAddedTokens(json["added_tokens"]),
    normalizer: objectField(json, "normalizer"),
    preTokenizer: objectField(json, "pre_tokenizer"),
    postProcessor: objectField(json, "post_processor"),
    decoder: objectField(json, "decoder"),
  };
}

function readBpeModel(model: Record<string, unknown>): HfBpeModel {
  const vocab = objectField(model, "vocab");
  if (vocab === undefined) fail("INVALID_CONFIG", { file: FILE, detail: "model.vocab is not an object" });
  const byId: (string | undefined)[] = [];
  for (const text in vocab) {
    const id = vocab[text];
    if (typeof id !== "number" || !Number.isSafeInteger(id) || id < 0) {
      fail("INVALID_CONFIG", { file: FILE, detail: `model.vocab[${JSON.stringify(text)}] = ${String(id)} is not a token id` });
    }
    const previous = byId[id];
    if (previous !== undefined) {
      fail("INVALID_CONFIG", { file: FILE, detail: `model.vocab gives id ${id} to both ${JSON.stringify(previous)} and ${JSON.stringify(text)}` });
    }
    byId[id] = text;
  }
  for (const key of ["continuing_subword_prefix", "end_of_word_suffix"]) {
    const affix = model[key];
    if (typeof affix === "string" && affix !== "") {
      fail("INVALID_CONFIG", { file: FILE, detail: `model.${key} ${JSON.stringify(affix)} is not supported: llama.cpp's BPE has no word affixes` });
    }
  }
  return {
    byId,
    merges: parseMerges(model["merges"]),
    byteFallback: boolField(model, "byte_fallback") ?? false,
    ignoreMerges: boolField(model, "ignore_merges") ?? false,
    unkToken: stringField(model, "unk_token"),
  };
}

function readAddedTokens(raw: unknown): AddedToken[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) fail("INVALID_CONFIG", { file: FILE, detail: "added_tokens is not an array" });
  return raw.map((t: unknown, i) => {
    const id = isObject(t) ? t["id"] : undefined;
    const content = isObject(t) ? t["content"] : undefined;
    if (typeof id !== "number" || !Number.isSafeInteger(id) || id < 0 || typeof content !== "string") {
      fail("INVALID_CONFIG", { file: FILE, detail: `added_tokens[${i}] needs an integer "id" and a string "content"` });
    }
    return { id, content, special: (t as Record<string, unknown>)["special"] === true };
  });
}

/** The sub-items of a `Sequence` section (normalizers / pretokenizers / processors / decoders), else the section itself. */
export function sectionItems(section: Record<string, unknown> | undefined): Record<string, unknown>[] {
  if (section === undefined) return [];
  if (section["type"] !== "Sequence") return [section];
  const items: Record<string, unknown>[] = [];
  for (const listKey of ["normalizers", "pretokenizers", "processors", "decoders"]) {
    const list = section[listKey];
    if (Array.isArray(list)) for (const item of list) if (isObject(item)) items.push(...sectionItems(item));
  }
  return items;
}
