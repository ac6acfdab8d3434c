/**
 * The q/k permutation against llama.cpp's converter: permuting TinyStories' HF rows must give the
 * exact bytes of attn_q / attn_k in the reference GGUFs (F32, and F16/BF16 as raw halves).
 */
import { describe, expect, it } from "vitest";
import { encodeHalves } from "../../src/core/half.js";
import { openCheckpoint } from "../../formats/safetensors/index.js";
import { packHfBitnet, unpackHfBitnet } from "../../src/quant/hf-packed.js";
import { permuteQkRows, qkRowOrder, type RowArray } from "../../src/model/permute.js";
import { planTensors, type TensorPlan } from "../../src/model/tensor-map.js";
import { fixturePath, sha256 } from "../helpers/fixtures.js";
import { expectError, referenceGguf, specOf } from "./helpers.js";

const bytesOf = (a: RowArray) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** TinyStories' plan and every source tensor's F32 values. */
async function tinystories(): Promise<{ plan: TensorPlan; values: Map<string, Float32Array> }> {
  const checkpoint = await openCheckpoint(fixturePath("tinystories-656k"));
  const plan = planTensors(specOf("tinystories-656k"), checkpoint.tensors, { aliases: checkpoint.aliases });
  const values = new Map<string, Float32Array>();
  for (const t of checkpoint.tensors) values.set(t.name, await checkpoint.readFloat32(t.name));
  await checkpoint.close();
  return { plan, values };
}

describe("q/k permutation", () => {
  it("new row h·hd + 2i + j takes old row h·hd + j·hd/2 + i", () => {
    expect([...qkRowOrder(8, 2)]).toEqual([0, 2, 1, 3, 4, 6, 5, 7]);
    expect([...qkRowOrder(6, 1)]).toEqual([0, 3, 1, 4, 2, 5]);
  });

  it("matches the reference GGUFs' attn_q / attn_k bytes (F32 values, F16 and BF16 halves)", async () => {
    const { plan, values: source } = await tinystories();
    const refs = {
      f32: referenceGguf("tinystories-656k", "gguf_tinystories-656k-f32.json"),
      f16: referenceGguf("tinystories-656k", "gguf_tinystories-656k-f16.json"),
      bf16: referenceGguf("tinystories-656k", "gguf_tinystories-656k-bf16.json"),
    };
    let checked = 0;
    for (const e of plan.entries) {
      const values = source.get(e.source)!;
      const rows = e.shape[0]!;
      const encodings: Record<keyof typeof refs, RowArray> = {
        f32: values,
        f16: new Uint16Array(encodeHalves(values, "f16").buffer),
        bf16: new Uint16Array(encodeHalves(values, "bf16").buffer),
      };
      for (const kind of ["f32", "f16", "bf16"] as const) {
        if (kind !== "f32" && e.keepF32) continue;
        const data = e.permute ? permuteQkRows(encodings[kind], rows, e.permute.heads, e.gguf) : encodings[kind];
        const expected = refs[kind].tensors.find((t) => t.name === e.gguf)!.sha256;
        expect([e.gguf, kind, sha256(bytesOf(data))]).toEqual([e.gguf, kind, expected]);
        checked++;
      }
    }
    // 20 tensors in F32; token_embd and the 14 projections also in F16 and BF16
    expect(checked).toBe(20 + 15 + 15);
  });

  it("without the permutation attn_q does not match (the test can fail)", async () => {
    const q = (await tinystories()).values.get("model.layers.0.self_attn.q_proj.weight")!;
    const ref = referenceGguf("tinystories-656k", "gguf_tinystories-656k-f32.json").tensors.find((t) => t.name === "blk.0.attn_q.weight")!;
    expect(sha256(bytesOf(q))).not.toBe(ref.sha256);
    // k with n_head (8) instead of n_head_kv (4) is wrong too
    expect(sha256(bytesOf(permuteQkRows(q, 128, 4)))).not.toBe(ref.sha256);
  });

  it("HF packed weights must be unpacked first: one packed row holds four original rows", () => {
    const rows = 16;
    const cols = 3;
    const codes = Int8Array.from({ length: rows * cols }, (_, i) => ((i * i + 5 * i + Math.floor(i / cols)) % 3) - 1);
    const { packed, packedShape } = packHfBitnet(codes, [rows, cols]);
    const right = permuteQkRows(unpackHfBitnet(packed, packedShape).codes, rows, 2);
    expect([...right]).toEqual([...permuteQkRows(codes, rows, 2)]);
    expect([...right]).not.toEqual([...codes]);
    const wrong = unpackHfBitnet(permuteQkRows(packed, packedShape[0]!, 1), packedShape).codes;
    expect([...wrong]).not.toEqual([...right]);
  });

  it("rows that do not split into heads of even size are SHAPE_MISMATCH", () => {
    expectError(() => qkRowOrder(6, 4, "blk.0.attn_q.weight"), "SHAPE_MISMATCH", "blk.0.attn_q.weight", "6 rows as 4 heads");
    expectError(() => qkRowOrder(6, 2), "SHAPE_MISMATCH");
    expectError(() => permuteQkRows(new Float32Array(10), 4, 2), "SHAPE_MISMATCH", "10 elements do not form 4 rows");
  });
});
