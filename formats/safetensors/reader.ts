/**
 * The lazy single-file reader: opening reads the 8-byte length and the N header bytes, validates
 * everything, and reads tensor bytes only when asked, one positional read per tensor.
 */
import { openFileSource, type ByteSource } from "../../src/core/io.js";
import { readSafetensorsHeader } from "./header.js";
import type { SafetensorsLimits } from "./limits.js";
import { createTensorAccess, type TensorAccess } from "./tensor-access.js";
import type { TensorInfo } from "./types.js";

export interface SafetensorsFile extends TensorAccess<TensorInfo> {
  /** The source's name (the path for files). */
  readonly file: string;
  /** File size in bytes. */
  readonly size: number;
  /** N: header JSON bytes; tensor data starts at 8 + N. */
  readonly headerLength: number;
}

export interface OpenSafetensorsOptions {
  limits?: Partial<SafetensorsLimits>;
}

/**
 * Opens a safetensors file (a path, or any ByteSource) and validates its header.
 * The returned reader owns the source: `close()` closes it, and it is closed if validation fails.
 */
export async function openSafetensors(input: string | ByteSource, options: OpenSafetensorsOptions = {}): Promise<SafetensorsFile> {
  const source = typeof input === "string" ? await openFileSource(input) : input;
  try {
    const header = await readSafetensorsHeader(source, options.limits);
    const access = createTensorAccess({
      tensors: header.tensors,
      metadata: header.metadata,
      sourceOf: async () => source,
      close: () => source.close(),
      file: source.name,
    });
    return { ...access, file: source.name, size: source.size, headerLength: header.headerLength };
  } catch (e) {
    await source.close().catch(() => {});
    throw e;
  }
}
