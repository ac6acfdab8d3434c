/**
 * Which HF tensor becomes token_embd.weight and whether an output.weight is written (models.md §5).
 * llama.cpp always needs token_embd; arch `llama` falls back to it when output.weight is absent,
 * while `bitnet` / `bitnet-b1.58` have no output tensor at all (an extra one fails the load).
 * Stock converters write only output.weight for a checkpoint storing just lm_head.weight, which
 * llama.cpp cannot load (models README finding 1); here token_embd is taken from it instead.
 */
import { fail } from "../core/errors.js";
import type { ModelSpec } from "./spec.js";
import { EMBEDDING, LM_HEAD } from "./tensor-names.js";

export interface EmbeddingChoice {
  /** The HF tensor written as token_embd.weight. */
  tokenEmbd: string;
  /** The HF tensor written as output.weight, when the head is really separate (arch llama only). */
  output: string | undefined;
  /** HF tensors present but not written, with the reason. */
  dropped: { name: string; reason: string }[];
  warnings: string[];
}

export interface EmbeddingFacts {
  has(name: string): boolean;
  /** safetensors `__metadata__` aliases: removed tensor → the tensor kept in its place. */
  aliases: ReadonlyMap<string, string>;
  /**
   * Whether lm_head.weight and model.embed_tokens.weight hold the same bytes, when both exist and
   * the caller compared them (planning reads headers only, so it cannot know by itself).
   */
  headEqualsEmbedding: boolean | undefined;
}

export function chooseEmbeddings(spec: ModelSpec, facts: EmbeddingFacts): EmbeddingChoice {
  const hasEmbedding = facts.has(EMBEDDING);
  const hasHead = facts.has(LM_HEAD);
  const tied = spec.tieWordEmbeddings;
  const warnings: string[] = [];
  if (!hasEmbedding && !hasHead) {
    return fail("TENSOR_NOT_FOUND", { tensor: EMBEDDING, detail: `the input embedding is missing, and there is no ${LM_HEAD} to take it from` });
  }
  if (!hasHead) {
    if (!tied) {
      warnings.push(`config.json says tie_word_embeddings is false, but the checkpoint stores no ${LM_HEAD}: writing token_embd only (the runtime uses it as the output head)`);
    }
    return { tokenEmbd: EMBEDDING, output: undefined, dropped: [], warnings };
  }
  if (!hasEmbedding) {
    const aliased = facts.aliases.get(EMBEDDING) === LM_HEAD;
    if (!aliased && !tied) {
      return fail("TENSOR_NOT_FOUND", {
        tensor: EMBEDDING,
        detail: `the input embedding is missing: only ${LM_HEAD} is stored, no __metadata__ alias names it as ${EMBEDDING}, and tie_word_embeddings is false`,
      });
    }
    if (!tied) warnings.push(`__metadata__ records ${EMBEDDING} as an alias of ${LM_HEAD}, so the two are one tensor although tie_word_embeddings is false`);
    return { tokenEmbd: LM_HEAD, output: undefined, dropped: [], warnings };
  }
  const same = facts.headEqualsEmbedding;
  if (same === true) return { tokenEmbd: EMBEDDING, output: undefined, dropped: [{ name: LM_HEAD, reason: `identical to ${EMBEDDING}` }], warnings };
  if (tied) {
    if (same === false) warnings.push(`${LM_HEAD} differs from ${EMBEDDING} but tie_word_embeddings is true: like transformers, the head is tied to the embedding and ${LM_HEAD} is ignored`);
    return { tokenEmbd: EMBEDDING, output: undefined, dropped: [{ name: LM_HEAD, reason: "tie_word_embeddings is true" }], warnings };
  }
  if (spec.arch !== "llama") {
    return fail("UNSUPPORTED_ARCH", {
      tensor: LM_HEAD,
      detail: `GGUF arch ${spec.arch} has no output tensor, but this checkpoint has a separate ${LM_HEAD} (tie_word_embeddings is false)${same === undefined ? "; if it equals the embedding, compare the bytes and plan again with headEqualsEmbedding" : ""}`,
    });
  }
  return { tokenEmbd: EMBEDDING, output: LM_HEAD, dropped: [], warnings };
}
