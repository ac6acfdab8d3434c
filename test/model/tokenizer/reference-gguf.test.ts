/**
 * Our tokenizer KVs against every reference GGUF summary (convert_hf_to_gguf outputs of the model
 * folders): same keys in the same order, same types, counts and sha256 of the raw array elements.
 * Two differences are deliberate and asserted as such:
 *   - scores: the converters wrote −1000 for every token (finding 3); ours are the merge-rank
 *     scores of the EXPERIMENT file, which made llama.cpp tokenize exactly like transformers;
 *   - convert-2025 wrote no tokenizer.ggml.add_sep_token; ours (like convert-2026) writes false.
 */
import { describe, expect, it } from "vitest";
import { TOKENIZER } from "../../../formats/gguf/keys.js";
import { tokenizerMetadata } from "../../../src/model/tokenizer/index.js";
import { sha256 } from "../../helpers/fixtures.js";
import { f32Bytes, manifest, modelFiles, projectLike, referenceGguf, summarize, tokenizerKvsOf, type KvSummary } from "./helpers.js";

const ADD_SEP = "tokenizer.ggml.add_sep_token";
const EXPERIMENT = "tokenizers/tinystories-656k/reference/gguf_tinystories-656k-f32-EXPERIMENT-mergerank-scores.json";
const experimentScores = tokenizerKvsOf(referenceGguf(EXPERIMENT)).find((k) => k.key === TOKENIZER.SCORES) as KvSummary;

const minus1000 = sha256(f32Bytes(new Array(2048).fill(-1000)));

describe("the reference summaries themselves", () => {
  it("the EXPERIMENT file differs from the converter's f32 file only in tokenizer.ggml.scores", () => {
    const f32 = tokenizerKvsOf(referenceGguf("tokenizers/tinystories-656k/reference/gguf_tinystories-656k-f32.json"));
    const exp = tokenizerKvsOf(referenceGguf(EXPERIMENT));
    expect(exp.map((k) => k.key)).toEqual(f32.map((k) => k.key));
    const differing = exp.filter((k, i) => JSON.stringify(k) !== JSON.stringify(f32[i])).map((k) => k.key);
    expect(differing).toEqual([TOKENIZER.SCORES]);
  });

  it("the converter's scores are 2048 × f32(−1000); the EXPERIMENT's are −i for i ≥ 81, else 0", () => {
    const f32 = tokenizerKvsOf(referenceGguf("tokenizers/tinystories-656k/reference/gguf_tinystories-656k-f32.json"));
    const converterScores = f32.find((k) => k.key === TOKENIZER.SCORES) as KvSummary;
    expect(converterScores.sha256_raw_elements).toBe(minus1000);
    const experiment = Array.from({ length: 2048 }, (_, i) => (i < 81 ? 0 : -i));
    expect(experimentScores.sha256_raw_elements).toBe(sha256(f32Bytes(experiment)));
  });
});

for (const [model, entry] of Object.entries(manifest.models)) {
  describe(`${model}: tokenizer KVs vs the reference GGUFs`, () => {
    const { kv, warnings } = tokenizerMetadata(modelFiles(model));
    const ours = kv.map(summarize);

    it("has no warnings and writes the merge-rank scores of the EXPERIMENT file", () => {
      expect(warnings).toEqual([]);
      const scores = ours.find((k) => k.key === TOKENIZER.SCORES);
      expect(scores?.sha256_raw_elements).toBe(experimentScores.sha256_raw_elements);
      expect(scores?.count).toBe(experimentScores.count);
    });

    for (const path of entry.references) {
      const name = path.slice(path.lastIndexOf("/") + 1);
      it(`matches ${name}`, () => {
        const ref = tokenizerKvsOf(referenceGguf(path));
        const converterWroteSep = ref.some((k) => k.key === ADD_SEP);
        const comparable = kv.filter((k) => converterWroteSep || k.key !== ADD_SEP);
        expect(comparable.map((k) => k.key)).toEqual(ref.map((k) => k.key));
        comparable.forEach((k, i) => {
          const r = ref[i] as KvSummary;
          const deliberate = k.key === TOKENIZER.SCORES && !name.includes("EXPERIMENT");
          if (deliberate) expect(r.sha256_raw_elements).toBe(minus1000);
          const expected = deliberate ? { ...r, sha256_raw_elements: experimentScores.sha256_raw_elements, first: [0, 0, 0, 0] } : r;
          expect(projectLike(k, expected), k.key).toEqual(expected);
        });
        if (!converterWroteSep) {
          expect(kv.find((k) => k.key === ADD_SEP)?.value).toBe(false);
          expect(name).not.toContain("2026");
        }
      });
    }
  });
}
