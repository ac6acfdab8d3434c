/**
 * Vocabulary from a SentencePiece tokenizer.model → model "llama" with the pieces' own scores and
 * types. Added tokens (tokenizer.json / tokenizer_config.json / added_tokens.json) override or
 * extend the pieces with score −1000, ids between the pieces and vocab_size become "[PAD{id}]"
 * with score −10000 (both as convert_hf_to_gguf). Unlike the converter, USER_DEFINED pieces keep
 * their type 4 (llama.cpp then matches them whole, as SentencePiece does) instead of becoming NORMAL.
 */
import { collectAddedTokens, namedSpecialTexts } from "./added-tokens.js";
import type { FolderFiles } from "./files.js";
import type { HfTokenizerJson } from "./hf-tokenizer-json.js";
import { declaredVocabSize, type TokenizerOptions, type TokenizerParts } from "./parts.js";
import { SP_MODEL_TYPE, type SentencePieceModel } from "./sentencepiece-model.js";
import { buildVocabTable, resolveVocabSize } from "./vocab-table.js";

const FILE = "tokenizer.model";
const ADDED_SCORE = -1000;
const HOLE_SCORE = -10000;

export function partsFromSentencePiece(
  files: FolderFiles,
  sp: SentencePieceModel,
  tj: HfTokenizerJson | undefined,
  options: TokenizerOptions,
  warnings: string[],
): TokenizerParts {
  if (sp.trainer.modelType !== SP_MODEL_TYPE.BPE) {
    warnings.push(`tokenizer.model is a ${modelTypeName(sp.trainer.modelType)} model; llama.cpp's SPM tokenizer merges greedily by score, which can differ from SentencePiece's segmentation`);
  }
  const norm = sp.normalizer.name;
  if (norm !== undefined && norm !== "identity") warnings.push(`SentencePiece normalizer "${norm}" is not applied by llama.cpp`);

  const added = collectAddedTokens(files, tj?.addedTokens ?? [], warnings);
  const vocabSize = resolveVocabSize(sp.pieces.length, added, declaredVocabSize(files, options), FILE, warnings);
  const vocab = buildVocabTable({
    base: sp.pieces,
    baseTypes: sp.types,
    added,
    specialTexts: namedSpecialTexts(files),
    unkText: undefined,
    byteTokens: true,
    vocabSize,
    file: FILE,
    warnings,
  });
  const scores = new Float32Array(vocabSize).fill(HOLE_SCORE);
  scores.set(sp.scores.subarray(0, Math.min(vocabSize, sp.scores.length)));
  for (const id of added.keys()) scores[id] = ADDED_SCORE;

  const { unkId, bosId, eosId, padId } = sp.trainer;
  const fallbackIds: TokenizerParts["fallbackIds"] = {};
  for (const [slot, id] of [["bos", bosId], ["eos", eosId], ["unk", unkId], ["pad", padId]] as const) {
    if (id >= 0) fallbackIds[slot] = id;
  }
  return {
    model: "llama",
    pre: "default",
    tokens: vocab.tokens,
    scores,
    types: vocab.types,
    merges: undefined,
    addSpacePrefix: sp.normalizer.addDummyPrefix,
    addedTokens: [...added.values()],
    postProcessor: tj?.postProcessor,
    fallbackIds,
  };
}

function modelTypeName(t: number): string {
  const name = Object.entries(SP_MODEL_TYPE).find(([, v]) => v === t)?.[0];
  return name ?? `type-${t}`;
}
