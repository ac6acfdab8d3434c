/**
 * Vocabulary from a tokenizer.json BPE model, in one of two GGUF forms:
 * - byte-level BPE (a ByteLevel pre-tokenizer or decoder: GPT-2, Llama-3, Qwen2) → model "gpt2",
 *   pre from the table in pre-tokenizer.ts, tokens, token_type, merges;
 * - SentencePiece-style BPE (byte_fallback, "▁" for spaces: Llama-2-like, TinyStories) → model
 *   "llama", pre "default", tokens, scores derived from the merge ranks (merge-rank-scores.ts),
 *   token_type with "<0xNN>" byte pieces, and whether a "▁" is prepended.
 */
import { fail } from "../../core/errors.js";
import { collectAddedTokens, namedSpecialTexts } from "./added-tokens.js";
import { boolField, stringField, type FolderFiles } from "./files.js";
import { sectionItems, type AddedToken, type HfBpeModel, type HfTokenizerJson } from "./hf-tokenizer-json.js";
import { mergeRankScores, unreachableTokens } from "./merge-rank-scores.js";
import { ggufMergeStrings, mergesHaveSpaces } from "./merges.js";
import { declaredVocabSize, type TokenizerOptions, type TokenizerParts } from "./parts.js";
import { detectPreTokenizer } from "./pre-tokenizer.js";
import { buildVocabTable, resolveVocabSize, type VocabTable } from "./vocab-table.js";

const FILE = "tokenizer.json";
const METASPACE = "\u2581";

export function partsFromTokenizerJson(
  files: FolderFiles,
  tj: HfTokenizerJson,
  options: TokenizerOptions,
  warnings: string[],
): TokenizerParts {
  const bpe = tj.bpe;
  if (bpe === undefined) {
    fail("INVALID_CONFIG", { file: FILE, detail: `model type "${tj.modelType}" is not supported (BPE only; a SentencePiece model needs tokenizer.model)` });
  }
  if (isByteLevel(tj)) return byteLevel(files, tj, bpe, options, warnings);
  if (bpe.byteFallback || usesMetaspace(tj)) return sentencePieceStyle(files, tj, bpe, options, warnings);
  return fail("INVALID_CONFIG", { file: FILE, detail: "the BPE model is neither byte-level (ByteLevel) nor SentencePiece-style (byte_fallback / \"▁\")" });
}

function isByteLevel(tj: HfTokenizerJson): boolean {
  return [...sectionItems(tj.preTokenizer), ...sectionItems(tj.decoder)].some((s) => s["type"] === "ByteLevel");
}

function usesMetaspace(tj: HfTokenizerJson): boolean {
  const all = [...sectionItems(tj.normalizer), ...sectionItems(tj.preTokenizer), ...sectionItems(tj.decoder)];
  return all.some((s) => s["type"] === "Metaspace" || JSON.stringify(s).includes(METASPACE));
}

/** The token table, and the added tokens (in lookup order) that made it in. */
function table(
  files: FolderFiles,
  tj: HfTokenizerJson,
  bpe: HfBpeModel,
  byteTokens: boolean,
  options: TokenizerOptions,
  warnings: string[],
): VocabTable & { added: AddedToken[] } {
  const added = collectAddedTokens(files, tj.addedTokens, warnings);
  const vocabSize = resolveVocabSize(bpe.byId.length, added, declaredVocabSize(files, options), FILE, warnings);
  const vocab = buildVocabTable({
    base: bpe.byId,
    added,
    specialTexts: namedSpecialTexts(files),
    unkText: bpe.unkToken,
    byteTokens,
    vocabSize,
    file: FILE,
    warnings,
  });
  return { ...vocab, added: [...added.values()] };
}

function byteLevel(files: FolderFiles, tj: HfTokenizerJson, bpe: HfBpeModel, options: TokenizerOptions, warnings: string[]): TokenizerParts {
  const { tokens, types, added } = table(files, tj, bpe, false, options, warnings);
  const pre = detectPreTokenizer(tj.preTokenizer, bpe.ignoreMerges);
  if (pre.warning !== undefined) warnings.push(pre.warning);
  if (mergesHaveSpaces(bpe.merges)) warnings.push("merges contain spaces inside a part; written as U+0120 like gguf-py");
  return {
    model: "gpt2",
    pre: pre.pre,
    tokens,
    scores: undefined,
    types,
    merges: bpe.merges.left.length > 0 ? ggufMergeStrings(bpe.merges) : undefined,
    addSpacePrefix: undefined,
    addedTokens: added,
    postProcessor: tj.postProcessor,
  };
}

function sentencePieceStyle(files: FolderFiles, tj: HfTokenizerJson, bpe: HfBpeModel, options: TokenizerOptions, warnings: string[]): TokenizerParts {
  const vocab = table(files, tj, bpe, true, options, warnings);
  const idOf = new Map<string, number>();
  bpe.byId.forEach((text, id) => {
    if (text !== undefined) idOf.set(text, id);
  });
  const scores = mergeRankScores(bpe.merges, idOf, vocab.tokens.length, FILE);
  const unreachable = unreachableTokens(vocab.tokens, scores, vocab.types);
  if (unreachable.length > 0) {
    warnings.push(`${unreachable.length} multi-character tokens (first id ${unreachable[0]}) come from no merge: transformers never emits them, llama.cpp's SPM tokenizer may`);
  }
  return {
    model: "llama",
    pre: "default",
    tokens: vocab.tokens,
    scores,
    types: vocab.types,
    merges: undefined,
    addSpacePrefix: addsSpacePrefix(tj, warnings),
    addedTokens: vocab.added,
    postProcessor: tj.postProcessor,
  };
}

/**
 * Whether the text gets a leading "▁": a `Prepend "▁"` normalizer (Llama-2-style tokenizer.json)
 * or a Metaspace pre-tokenizer with prepend_scheme "always"/"first" (or legacy add_prefix_space).
 * llama.cpp always turns spaces into "▁"; a tokenizer that does not is reported.
 */
function addsSpacePrefix(tj: HfTokenizerJson, warnings: string[]): boolean {
  const normalizers = sectionItems(tj.normalizer);
  const pre = sectionItems(tj.preTokenizer);
  const metaspace = pre.find((s) => s["type"] === "Metaspace");
  const replacesSpaces =
    metaspace !== undefined ||
    normalizers.some((s) => s["type"] === "Replace" && s["content"] === METASPACE && JSON.stringify(s["pattern"]) === '{"String":" "}');
  if (!replacesSpaces) warnings.push('tokenizer.json does not turn spaces into "▁", llama.cpp\'s SPM tokenizer always does');
  if (normalizers.some((s) => s["type"] === "Prepend" && s["prepend"] === METASPACE)) return true;
  if (metaspace === undefined) return false;
  const scheme = stringField(metaspace, "prepend_scheme");
  if (scheme !== undefined) return scheme !== "never";
  return boolField(metaspace, "add_prefix_space") ?? true;
}
