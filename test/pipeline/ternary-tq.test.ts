/**
 * Synthetic BitNet checkpoints → TQ1_0 / TQ2_0 for llama.cpp, compared with llama.cpp's own
 * conversion (convert_hf_to_gguf.py --outtype tq1_0/tq2_0, reference summaries): every tensor
 * byte-identical (the ternary ones, F16 token_embd, F32 norms), same order, offsets and KVs.
 * The HF-packed 2B-4T checkpoint, which no stock converter handles (finding 8), is checked against
 * transformers' own unpacking (ternary_reference.json): codes and scales.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { convert } from "../../src/api/convert.js";
import { f16BitsToF32, f32ToF16Bits } from "../../src/core/half.js";
import { LLAMA_FTYPE } from "../../formats/gguf/ftype.js";
import { getKernel } from "../../kernels/index.js";
import { readJson, sha256 } from "../helpers/fixtures.js";
import { expectMatchesReference, model, readGgufFully, referenceSummary, useTempDir } from "./helpers.js";

const tmp = useTempDir();

const CASES = [
  { model: "bitnet-synth-1bitllm", layout: "tq1_0", ref: "gguf_bitnet-synth-1bitllm-convert-tq1_0.json" },
  { model: "bitnet-synth-1bitllm", layout: "tq2_0", ref: "gguf_bitnet-synth-1bitllm-convert-tq2_0.json" },
  { model: "bitnet-synth-2b4t-bf16", layout: "tq1_0", ref: "gguf_bitnet-synth-2b4t-bf16-convert2026patched-tq1_0.json" },
  { model: "bitnet-synth-2b4t-bf16", layout: "tq2_0", ref: "gguf_bitnet-synth-2b4t-bf16-convert2026patched-tq2_0.json" },
] as const;

describe("BitNet → TQ1_0 / TQ2_0 (target llama.cpp)", () => {
  for (const c of CASES) {
    it(`${c.model} ${c.layout}: byte-identical to llama.cpp's conversion`, async () => {
      const out = join(await tmp(), `${c.model}-${c.layout}.gguf`);
      const result = await convert({ input: model(c.model), output: out, layout: c.layout, workers: 0 });
      expectMatchesReference(await readGgufFully(out), referenceSummary(c.model, c.ref));
      expect(result.totals.ternaryTensors).toBe(14);
      expect(result.verified).toBe(14);
      expect(result.tensors.filter((t) => t.verification).every((t) => t.verification!.ok)).toBe(true);
      expect(result.bitsPerWeight.ternary).toBe(c.layout === "tq1_0" ? 1.6875 : 2.0625);
      expect(result.plan.fallbacks).toEqual([]);
    });
  }

  it("bitnet-synth-2b4t-packed (HF packed U8 + weight_scale) → TQ2_0: transformers' trits, d = f16(weight_scale)", async () => {
    const out = join(await tmp(), "packed-tq2_0.gguf");
    const result = await convert({ input: model("bitnet-synth-2b4t-packed"), output: out, workers: 0 });
    const ref = readJson("models", "bitnet-synth-2b4t-packed", "reference", "ternary_reference.json").linears as Record<
      string,
      { unpacked_shape_out_in: [number, number]; weight_scale_bf16: number; trits_int8_rowmajor_sha256: string }
    >;
    const { gguf, data } = await readGgufFully(out);
    expect(gguf.kv.get("general.file_type")?.value).toBe(LLAMA_FTYPE.MOSTLY_TQ2_0);
    expect(Object.keys(ref)).toHaveLength(14);
    for (const [name, r] of Object.entries(ref)) {
      const decoded = getKernel("tq2_0").codes(data.get(name)!, r.unpacked_shape_out_in);
      expect(sha256(new Uint8Array(decoded.codes.buffer)), name).toBe(r.trits_int8_rowmajor_sha256);
      const d = f16BitsToF32(f32ToF16Bits(r.weight_scale_bf16));
      const blockScales = new Set(decoded.scales);
      blockScales.delete(0); // all-zero blocks store d = 0
      expect([...blockScales], name).toEqual([d]);
    }
    expect(result.tensors.filter((t) => t.codeSource === "hf-packed")).toHaveLength(14);
  });
});
