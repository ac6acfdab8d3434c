/** One tokenizer KV in the shape the GGUF writer takes (`writer.addKv(kv.key, kv.type, kv.value)`). */
import { GGUF_VALUE_TYPE as T, type GgufKvInput } from "../../../formats/gguf/value-types.js";

export type TokenizerKv = { key: string } & GgufKvInput;

export function stringKv(key: string, value: string): TokenizerKv {
  return { key, type: T.STRING, value };
}

export function boolKv(key: string, value: boolean): TokenizerKv {
  return { key, type: T.BOOL, value };
}

export function stringArrayKv(key: string, values: string[]): TokenizerKv {
  return { key, type: T.ARRAY, value: { elementType: T.STRING, values } };
}

export function f32ArrayKv(key: string, values: Float32Array): TokenizerKv {
  return { key, type: T.ARRAY, value: { elementType: T.FLOAT32, values } };
}

export function i32ArrayKv(key: string, values: Int32Array): TokenizerKv {
  return { key, type: T.ARRAY, value: { elementType: T.INT32, values } };
}
