/**
 * Tensor bytes → typed arrays. Data is little-endian whatever the host, and a tensor may start at
 * any file offset, so nothing here assumes the input bytes are aligned.
 */
import { fail } from "../../src/core/errors.js";
import { decodeHalves } from "../../src/core/half.js";
import type { SafetensorsDtype } from "./dtypes.js";

export type IntegerArray = Int8Array | Uint8Array | Int16Array | Int32Array;

const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * A fresh, aligned buffer holding `bytes` with each `width`-byte element in host order
 * (a plain copy on little-endian hosts).
 */
function hostOrderCopy(bytes: Uint8Array, width: number): ArrayBuffer {
  const out = new Uint8Array(bytes.length);
  if (HOST_LITTLE_ENDIAN) {
    out.set(bytes);
  } else {
    for (let i = 0; i < bytes.length; i += width) {
      for (let j = 0; j < width; j++) out[i + j] = bytes[i + width - 1 - j]!;
    }
  }
  return out.buffer;
}

function readF64(bytes: Uint8Array): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(bytes.length >>> 3);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat64(8 * i, true);
  return out;
}

type Decoder<A> = (bytes: Uint8Array) => A;

const FLOAT32_DECODERS: Partial<Record<SafetensorsDtype, Decoder<Float32Array>>> = {
  F32: (b) => new Float32Array(hostOrderCopy(b, 4)),
  F16: (b) => decodeHalves(b, "f16"),
  BF16: (b) => decodeHalves(b, "bf16"),
  F64: readF64, // rounded to nearest float32
};

const INTEGER_DECODERS: Partial<Record<SafetensorsDtype, Decoder<IntegerArray>>> = {
  I8: (b) => new Int8Array(b.buffer, b.byteOffset, b.byteLength),
  U8: (b) => b,
  BOOL: (b) => b,
  I16: (b) => new Int16Array(hostOrderCopy(b, 2)),
  I32: (b) => new Int32Array(hostOrderCopy(b, 4)),
};

function decoderFor<A>(table: Partial<Record<SafetensorsDtype, Decoder<A>>>, dtype: SafetensorsDtype, tensor: string, what: string): Decoder<A> {
  const decoder = table[dtype];
  if (decoder) return decoder;
  return fail("UNSUPPORTED_DTYPE", { tensor, detail: `cannot read ${dtype} as ${what} (supported: ${Object.keys(table).join(", ")})` });
}

/** The decoder of `dtype` bytes into float32 values: F32, F16, BF16, F64; else UNSUPPORTED_DTYPE. */
export function float32Decoder(dtype: SafetensorsDtype, tensor: string): Decoder<Float32Array> {
  return decoderFor(FLOAT32_DECODERS, dtype, tensor, "float32");
}

/** The decoder of `dtype` bytes into an integer array: I8, U8, BOOL, I16, I32; else UNSUPPORTED_DTYPE. */
export function integerDecoder(dtype: SafetensorsDtype, tensor: string): Decoder<IntegerArray> {
  return decoderFor(INTEGER_DECODERS, dtype, tensor, "an integer array");
}
