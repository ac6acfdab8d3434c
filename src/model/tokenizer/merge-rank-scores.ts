/**
 * SentencePiece-style scores for a tokenizer.json BPE vocabulary, derived from the merge ranks so
 * that llama.cpp's SPM tokenizer merges in the same order as the transformers BPE model.
 *
 * Why: llama.cpp's SPM tokenizer repeatedly merges the adjacent pair whose concatenation is the
 * vocabulary token with the HIGHEST score (ties: leftmost); transformers' BPE merges the pair with
 * the LOWEST merge rank (ties: leftmost). Scores that fall as the rank rises make the two agree.
 * convert_hf_to_gguf's tokenizer.json fallback writes −1000 for every token instead, so llama.cpp
 * merges left to right and splits words differently (models README, finding 3).
 *
 * The rule (exactly the one of the EXPERIMENT-mergerank-scores GGUF, generalised):
 *   M = the ids produced by a merge (the token `left + right`; a token produced by several
 *       merges takes the first, lowest-ranked one);
 *   B = vocabSize − |M|, the ids no merge produces (base symbols, bytes, specials, added tokens, holes);
 *   score[id] = −(B + r) for an id in M first produced by the merge of rank r (0-based),
 *   score[id] = 0        for every other id.
 * B + r is the id the token gets in a vocabulary laid out as "base symbols first, then one token per
 * merge in rank order", which is how BPE trainers number them; for such vocabularies the rule reads
 * score[id] = −id for merged tokens. TinyStories-656K (81 base ids, 1967 merges) gives
 * score[i] = −i for i ≥ 81 and 0 below, byte-for-byte the experiment's array.
 * Only the order of the merged tokens' scores matters to llama.cpp: a bigram is always ≥ 2
 * characters, so single-character tokens are never merge candidates and their score is unused.
 */
import { fail } from "../../core/errors.js";
import { TOKEN_TYPE } from "../../../formats/gguf/keys.js";
import type { MergePairs } from "./merges.js";

/**
 * `idOf` maps the BPE model's token texts to ids (the merges must name tokens of that vocabulary,
 * as the tokenizers library requires when it loads the file).
 */
export function mergeRankScores(
  merges: MergePairs,
  idOf: ReadonlyMap<string, number>,
  vocabSize: number,
  file: string,
): Float32Array {
  const n = merges.left.length;
  const rankOf = new Int32Array(vocabSize).fill(-1);
  let mergedCount = 0;
  for (let r = 0; r < n; r++) {
    const left = merges.left[r] as string;
    const right = merges.right[r] as string;
    for (const part of [left, right, left + right]) {
      if (!idOf.has(part)) fail("INVALID_CONFIG", { file, detail: `merge ${r} "${left} ${right}" uses ${JSON.stringify(part)}, which is not in model.vocab` });
    }
    const id = idOf.get(left + right) as number;
    if (rankOf[id] === -1) {
      rankOf[id] = r;
      mergedCount++;
    }
  }
  const base = vocabSize - mergedCount;
  const scores = new Float32Array(vocabSize);
  for (let id = 0; id < vocabSize; id++) {
    const r = rankOf[id] as number;
    if (r >= 0) scores[id] = 0 - (base + r); // never −0
  }
  return scores;
}

/**
 * Multi-character vocabulary tokens no merge produces (not added, not bytes): transformers' BPE can
 * never emit them, but llama.cpp's SPM tokenizer can, so the two may then disagree.
 */
export function unreachableTokens(
  tokens: readonly string[],
  scores: Float32Array,
  types: Int32Array,
): number[] {
  const ids: number[] = [];
  for (let id = 0; id < tokens.length; id++) {
    if (types[id] !== TOKEN_TYPE.NORMAL || scores[id] !== 0) continue;
    const text = tokens[id] as string;
    const oneCodePoint = text.length === 1 || (text.length === 2 && (text.codePointAt(0) as number) > 0xffff);
    if (!oneCodePoint && text.length > 0) ids.push(id);
  }
  return ids;
}
