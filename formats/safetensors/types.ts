/** Header-level facts about a safetensors file: what `inspect` and planning need, no tensor bytes. */
import type { SafetensorsDtype } from "./dtypes.js";

export interface TensorInfo {
  readonly name: string;
  readonly dtype: SafetensorsDtype;
  /** Validated dims: non-negative safe integers; `[]` for a scalar. */
  readonly shape: readonly number[];
  /** Absolute offset of the first data byte in the file (8 + N + begin). */
  readonly byteOffset: number;
  readonly byteLength: number;
}

export interface ParsedHeader {
  /** N, the header JSON length (bytes 8 … 8+N−1 of the file). */
  readonly headerLength: number;
  /** Tensors in header order. */
  readonly tensors: readonly TensorInfo[];
  /** `__metadata__` (empty when absent), in header order. */
  readonly metadata: ReadonlyMap<string, string>;
}
