/**
 * A file written by ternpack with every KV type and six tensor types (bytes taken from the golden
 * file) reads back identically with our reader and with @huggingface/gguf 0.4.6 (test oracle).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gguf as hfGguf } from "@huggingface/gguf";
import { afterAll, expect, it } from "vitest";
import { bufferSource, withFileSource } from "../../src/core/io.js";
import {
  GGML_TYPE,
  GGUF_VALUE_TYPE as T,
  readGguf,
  readTensorData,
  writeGgufFile,
  type GgufKvInput,
} from "../../formats/gguf/index.js";
import { readFixture } from "../helpers/fixtures.js";

const dir = await mkdtemp(join(tmpdir(), "ternpack-gguf-interop-"));
afterAll(() => rm(dir, { recursive: true, force: true }));

const kvs: [string, GgufKvInput][] = [
  ["general.architecture", { type: T.STRING, value: "llama" }],
  ["general.name", { type: T.STRING, value: "interop ✓ 三値" }],
  ["t.u8", { type: T.UINT8, value: 255 }],
  ["t.i8", { type: T.INT8, value: -128 }],
  ["t.u16", { type: T.UINT16, value: 65535 }],
  ["t.i16", { type: T.INT16, value: -32768 }],
  ["t.u32", { type: T.UINT32, value: 4294967295 }],
  ["t.i32", { type: T.INT32, value: -2147483648 }],
  ["t.f32", { type: T.FLOAT32, value: 0.25 }],
  ["t.bool", { type: T.BOOL, value: true }],
  ["t.u64", { type: T.UINT64, value: 18446744073709551615n }],
  ["t.i64", { type: T.INT64, value: -9223372036854775808n }],
  ["t.f64", { type: T.FLOAT64, value: -1.5e300 }],
  ["t.arr_u8", { type: T.ARRAY, value: { elementType: T.UINT8, values: [0, 7, 255] } }],
  ["t.arr_i8", { type: T.ARRAY, value: { elementType: T.INT8, values: new Int8Array([-1, 1]) } }],
  ["t.arr_u16", { type: T.ARRAY, value: { elementType: T.UINT16, values: [1, 65535] } }],
  ["t.arr_i16", { type: T.ARRAY, value: { elementType: T.INT16, values: [-2, 2] } }],
  ["t.arr_u32", { type: T.ARRAY, value: { elementType: T.UINT32, values: [3, 4000000000] } }],
  ["t.arr_i32", { type: T.ARRAY, value: { elementType: T.INT32, values: new Int32Array([-5, 5, 6]) } }],
  ["t.arr_f32", { type: T.ARRAY, value: { elementType: T.FLOAT32, values: new Float32Array([0.5, -2, 1e-40]) } }],
  ["t.arr_bool", { type: T.ARRAY, value: { elementType: T.BOOL, values: [false, true] } }],
  ["t.arr_str", { type: T.ARRAY, value: { elementType: T.STRING, values: ["a", "", "🦙 b"] } }],
  ["t.arr_u64", { type: T.ARRAY, value: { elementType: T.UINT64, values: [1, 2n ** 63n] } }],
  ["t.arr_i64", { type: T.ARRAY, value: { elementType: T.INT64, values: [-(2n ** 40n), 7] } }],
  ["t.arr_f64", { type: T.ARRAY, value: { elementType: T.FLOAT64, values: [Math.PI, -0] } }],
  ["general.file_type", { type: T.UINT32, value: 37 }],
];

/** Golden tensors to reuse: one per type (name in all_kv_types.gguf). */
const PICK = ["blk.0.attn_norm.weight", "token_embd.weight", "t.bf16_2d", "blk.0.ffn_down.weight", "blk.0.attn_q.weight", "blk.0.ffn_up.weight"];

it("reads back identically with our reader and with @huggingface/gguf", async () => {
  const golden = readFixture("gguf", "all_kv_types.gguf");
  const goldenSrc = bufferSource(golden);
  const g = await readGguf(goldenSrc);
  const picked = PICK.map((n) => g.tensors.find((t) => t.name === n)!);
  expect(picked.map((t) => t.type)).toStrictEqual([
    GGML_TYPE.F32, GGML_TYPE.F16, GGML_TYPE.BF16, GGML_TYPE.Q8_0, GGML_TYPE.TQ1_0, GGML_TYPE.TQ2_0,
  ]);
  const data = await Promise.all(picked.map((t) => readTensorData(goldenSrc, t)));
  const path = join(dir, "interop.gguf");
  const tensors = picked.map((t, i) => ({ name: `x.${i}.${t.typeName}`, type: t.type, dims: t.dims, data: data[i]! }));
  await writeGgufFile(path, { kv: kvs, tensors });

  // ours
  const ours = await readGguf(path);
  expect([...ours.kv.keys()]).toStrictEqual(kvs.map(([k]) => k));
  for (const [key, input] of kvs) {
    const kv = ours.kv.get(key)!;
    expect(kv.type).toBe(input.type);
    if (kv.type === T.ARRAY && input.type === T.ARRAY) {
      expect(kv.value.elementType).toBe(input.value.elementType);
      const expected = Array.from(input.value.values as ArrayLike<unknown>, (v) =>
        kv.value.elementType === T.UINT64 || kv.value.elementType === T.INT64 ? BigInt(v as number) : v,
      );
      expect(Array.from(kv.value.values as ArrayLike<unknown>)).toStrictEqual(
        kv.value.elementType === T.FLOAT32 ? Array.from(new Float32Array(expected as number[])) : expected,
      );
    } else {
      expect(kv.value).toStrictEqual(input.value);
    }
  }
  const back = await withFileSource(path, (s) => Promise.all(ours.tensors.map((t) => readTensorData(s, t))));
  back.forEach((b, i) => expect(Buffer.from(b).equals(Buffer.from(data[i]!))).toBe(true));
  expect(ours.tensors.map((t) => [t.name, t.type, t.dims, t.nbytes])).toStrictEqual(tensors.map((t, i) => [t.name, t.type, t.dims, picked[i]!.nbytes]));

  // @huggingface/gguf
  const hf = await hfGguf(path, { allowLocalFile: true, typedMetadata: true });
  expect(hf.metadata.version).toBe(3);
  expect(hf.metadata.kv_count).toBe(BigInt(kvs.length));
  expect(hf.metadata.tensor_count).toBe(BigInt(tensors.length));
  expect(hf.tensorDataOffset).toBe(BigInt(ours.dataOffset));
  for (const [key, kv] of ours.kv) {
    const typed = (hf.typedMetadata as Record<string, { type: number; subType?: number; value: unknown }>)[key]!;
    expect(typed.type).toBe(kv.type);
    if (kv.type === T.ARRAY) {
      expect(typed.subType).toBe(kv.value.elementType);
      expect(typed.value).toStrictEqual(Array.from(kv.value.values as ArrayLike<unknown>));
    } else {
      expect(typed.value).toStrictEqual(kv.value);
    }
  }
  expect(hf.tensorInfos.map((t) => [t.name, t.n_dims, t.shape.map(Number), t.dtype, Number(t.offset)])).toStrictEqual(
    ours.tensors.map((t) => [t.name, t.dims.length, t.dims, t.type, t.offset]),
  );
});
