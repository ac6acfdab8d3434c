/**
 * method "none": a faithful baseline GGUF of TinyStories-656K in F32, F16, BF16 and Q8_0, compared
 * with llama.cpp convert_hf_to_gguf.py's own output (reference summaries): every tensor's bytes,
 * names, order, types, dims and offsets, and every KV (see expectMatchesReference).
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { convert } from "../../src/api/convert.js";
import { LLAMA_FTYPE } from "../../formats/gguf/ftype.js";
import { VERSION } from "../../src/version.js";
import { expectMatchesReference, readGgufFully, referenceSummary, summarizeKv, TINYSTORIES, useTempDir } from "./helpers.js";

const tmp = useTempDir();

const CASES = [
  { keepType: "f32", file: "gguf_tinystories-656k-f32.json", fileType: LLAMA_FTYPE.ALL_F32 },
  { keepType: "f16", file: "gguf_tinystories-656k-f16.json", fileType: LLAMA_FTYPE.MOSTLY_F16 },
  { keepType: "bf16", file: "gguf_tinystories-656k-bf16.json", fileType: LLAMA_FTYPE.MOSTLY_BF16 },
  { keepType: "q8_0", file: "gguf_tinystories-656k-q8_0.json", fileType: LLAMA_FTYPE.MOSTLY_Q8_0 },
] as const;

describe("method none on TinyStories-656K", () => {
  for (const c of CASES) {
    it(`${c.keepType.toUpperCase()}: tensors byte-identical to convert_hf_to_gguf.py, model KVs equal`, async () => {
      const out = join(await tmp(), `tinystories-${c.keepType}.gguf`);
      const result = await convert({ input: TINYSTORIES, output: out, method: "none", keepType: c.keepType, workers: 0 });
      const contents = await readGgufFully(out);
      expectMatchesReference(contents, referenceSummary("tinystories-656k", c.file));
      const ours = new Map([...contents.gguf.kv].map(([k, v]) => [k, summarizeKv(v)]));
      expect(ours.get("general.file_type")?.value).toBe(c.fileType);
      expect(ours.get("general.quantized_by")?.value).toBe(`ternpack ${VERSION}`);
      expect(result.totals.ternaryTensors).toBe(0);
      expect(result.bitsPerWeight.ternary).toBeUndefined();
    });
  }
});
