/** What the reader reads (counted), and how bytes become typed arrays. */
import { describe, expect, it } from "vitest";
import { bf16BitsFromF32Bits, f16BitsFromF32Bits, f32Bits } from "../../src/core/half.js";
import { openSafetensors } from "../../formats/safetensors/index.js";
import { readFixture } from "../helpers/fixtures.js";
import { buildFile, countingSource, entry, expectCode } from "./helpers.js";

describe("I/O budget", () => {
  it("opening reads exactly 8 + N bytes; readBytes reads exactly the tensor's range", async () => {
    const bytes = readFixture("safetensors", "all_dtypes.safetensors");
    const src = countingSource(bytes);
    const st = await openSafetensors(src);
    expect(src.reads).toEqual([
      { offset: 0, length: 8 },
      { offset: 8, length: 864 },
    ]);
    for (const t of st.tensors) {
      src.reads.length = 0;
      await st.readBytes(t.name);
      expect(src.reads).toEqual([{ offset: t.byteOffset, length: t.byteLength }]);
    }
    src.reads.length = 0;
    await st.readFloat32("weight_bf16");
    expect(src.reads).toEqual([{ offset: 998, length: 30 }]);
    await st.close();
    expect(src.closed).toBe(true);
  });

  it("an unsupported dtype fails before any read, naming tensor and dtype", async () => {
    const src = countingSource(readFixture("safetensors", "all_dtypes.safetensors"));
    const st = await openSafetensors(src);
    src.reads.length = 0;
    const e1 = await expectCode(st.readFloat32("i64"), "UNSUPPORTED_DTYPE");
    expect([e1.tensor, e1.detail]).toEqual(["i64", "cannot read I64 as float32 (supported: F32, F16, BF16, F64)"]);
    const e2 = await expectCode(st.readTyped("weight_f32"), "UNSUPPORTED_DTYPE");
    expect(e2.message).toContain("F32");
    expect(e2.tensor).toBe("weight_f32");
    expect(src.reads).toEqual([]);
  });

  it("a failed open closes the source and reads no data", async () => {
    const src = countingSource(readFixture("safetensors", "malformed/trailing_bytes.safetensors"));
    await expectCode(openSafetensors(src), "INCOMPLETE_BUFFER");
    expect(src.closed).toBe(true);
    expect(src.reads).toEqual([
      { offset: 0, length: 8 },
      { offset: 8, length: 112 },
    ]);
  });
});

describe("decoding at unaligned offsets", () => {
  // N = 7 puts the data at byte 15: every multi-byte tensor starts unaligned.
  const values = [1.5, -2.25, 3.0e-5, 65504];
  const data = new Uint8Array(4 * 4 + 2 * 4 + 2 * 4 + 8 * 2 + 2 * 3 + 4 * 2 + 1 * 2);
  const view = new DataView(data.buffer);
  let p = 0;
  values.forEach((v) => (view.setFloat32(p, v, true), (p += 4)));
  values.forEach((v) => (view.setUint16(p, f16BitsFromF32Bits(f32Bits(v)), true), (p += 2)));
  values.forEach((v) => (view.setUint16(p, bf16BitsFromF32Bits(f32Bits(v)), true), (p += 2)));
  [Math.PI, -1e-310].forEach((v) => (view.setFloat64(p, v, true), (p += 8)));
  [-32768, 1, 32767].forEach((v) => (view.setInt16(p, v, true), (p += 2)));
  [-2147483648, 2147483647].forEach((v) => (view.setInt32(p, v, true), (p += 4)));
  [-128, 127].forEach((v) => (view.setInt8(p, v), (p += 1)));
  const header =
    `{"f32":${entry("F32", [4], 0, 16)},"f16":${entry("F16", [2, 2], 16, 24)},"bf16":${entry("BF16", [4], 24, 32)},` +
    `"f64":${entry("F64", [2], 32, 48)},"i16":${entry("I16", [3], 48, 54)},"i32":${entry("I32", [2], 54, 62)},"i8":${entry("I8", [2], 62, 64)}}`;
  const padded = header + " ".repeat((7 - ((8 + header.length) % 8) + 8) % 8); // 8 + N ≡ 7 (mod 8)

  it("the data really is unaligned", async () => {
    const st = await openSafetensors(countingSource(buildFile(padded, data)));
    expect(st.get("f32")!.byteOffset % 4).toBe(3);
  });

  it("F32, F16, BF16 and F64 decode to the right float32 values", async () => {
    const st = await openSafetensors(countingSource(buildFile(padded, data)));
    expect([...(await st.readFloat32("f32"))]).toEqual(values.map(Math.fround));
    // Expected values from numpy (astype(float16)) and the bf16 RNE rule: 3e-5 is an f16 subnormal,
    // 65504 is the largest f16 and rounds up to 65536 in bf16.
    expect([...(await st.readFloat32("f16"))]).toEqual([1.5, -2.25, 2.9981136322021484e-5, 65504]);
    expect([...(await st.readFloat32("bf16"))]).toEqual([1.5, -2.25, 3.0040740966796875e-5, 65536]);
    expect([...(await st.readFloat32("f64"))]).toEqual([Math.fround(Math.PI), -0]);
  });

  it("I16, I32 and I8 decode little-endian", async () => {
    const st = await openSafetensors(countingSource(buildFile(padded, data)));
    const i16 = await st.readTyped("i16");
    expect(i16).toBeInstanceOf(Int16Array);
    expect([...i16]).toEqual([-32768, 1, 32767]);
    const i32 = await st.readTyped("i32");
    expect(i32).toBeInstanceOf(Int32Array);
    expect([...i32]).toEqual([-2147483648, 2147483647]);
    const i8 = await st.readTyped("i8");
    expect(i8).toBeInstanceOf(Int8Array);
    expect([...i8]).toEqual([-128, 127]);
  });
});

describe("aliases", () => {
  it("a metadata entry from an absent tensor to a present one is an alias; others are not", async () => {
    const header = `{"__metadata__":{"format":"pt","model.embed_tokens.weight":"lm_head.weight","x":"missing","lm_head.weight":"lm_head.weight"},"lm_head.weight":${entry("F32", [1], 0, 4)}}`;
    const st = await openSafetensors(countingSource(buildFile(header, 4)));
    expect([...st.aliases]).toEqual([["model.embed_tokens.weight", "lm_head.weight"]]);
    expect(st.get("model.embed_tokens.weight")).toBeUndefined();
    const err = await expectCode(st.readBytes("model.embed_tokens.weight"), "TENSOR_NOT_FOUND");
    expect(err.detail).toContain("alias of 'lm_head.weight'");
  });
});
