/**
 * Plain float layouts: F32 (ggml 0), F16 (ggml 1) and BF16 (ggml 30), little-endian, one element
 * per "block". Narrowing follows `src/core/half.ts` (F16 = numpy `astype(float16)`, NaN payloads
 * kept; BF16 = gguf-py, NaN quieted); widening is exact. Values move as bit patterns throughout,
 * so NaN payloads survive (typed arrays are little-endian on every platform Node 20 supports).
 */
import { decodeHalves, encodeHalves } from "../../src/core/half.js";
import { GGML_TYPE } from "../gguf/constants.js";
import { elementCount, requireLength, requireValidShape } from "./blocks.js";
import { defineLayout } from "./registry.js";
import type { Layout } from "./types.js";

interface FloatSpec {
  name: string;
  ggmlType: number;
  bytesPerElement: number;
  description: string;
  toBytes(values: Float32Array): Uint8Array;
  fromBytes(bytes: Uint8Array): Float32Array;
}

function defineFloatLayout({ name, ggmlType, bytesPerElement, description, toBytes, fromBytes }: FloatSpec): Layout {
  const label = name.toUpperCase();
  const count = (shape: readonly number[]) => {
    requireValidShape(label, shape);
    return elementCount(shape);
  };
  return defineLayout({
    name,
    kind: "float",
    ggmlType,
    blockSize: 1,
    blockBytes: bytesPerElement,
    runtime: "llama.cpp, bitnet.cpp",
    description,
    check: (shape: readonly number[]) => void count(shape),
    bytesFor: (shape: readonly number[]) => count(shape) * bytesPerElement,
    encode(values: Float32Array, shape: readonly number[]) {
      requireLength(label, "values", values.length, count(shape));
      return toBytes(values);
    },
    decode(bytes: Uint8Array, shape: readonly number[]) {
      requireLength(label, "bytes", bytes.length, count(shape) * bytesPerElement);
      return fromBytes(bytes);
    },
  });
}

export const f32Layout = defineFloatLayout({
  name: "f32",
  ggmlType: GGML_TYPE.F32,
  bytesPerElement: 4,
  description: "IEEE float32, little-endian",
  toBytes: (values) => new Uint8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength)),
  fromBytes: (bytes) => new Float32Array(bytes.slice().buffer), // the copy is aligned, whatever the source offset
});

export const f16Layout = defineFloatLayout({
  name: "f16",
  ggmlType: GGML_TYPE.F16,
  bytesPerElement: 2,
  description: "IEEE half, little-endian, round to nearest even (numpy semantics)",
  toBytes: (values) => encodeHalves(values, "f16"),
  fromBytes: (bytes) => decodeHalves(bytes, "f16"),
});

export const bf16Layout = defineFloatLayout({
  name: "bf16",
  ggmlType: GGML_TYPE.BF16,
  bytesPerElement: 2,
  description: "bfloat16, little-endian, round to nearest even, NaN quieted (gguf-py semantics)",
  toBytes: (values) => encodeHalves(values, "bf16"),
  fromBytes: (bytes) => decodeHalves(bytes, "bf16"),
});
