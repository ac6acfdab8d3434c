/** One-call GGUF file writing on top of the writer, through an atomic temp-file-and-rename. */
import { writeFileAtomically } from "../../src/core/atomic-file.js";
import type { GgufKvInput } from "./value-types.js";
import { createGgufWriter, type GgufLayout, type GgufWriterOptions } from "./writer.js";

export interface GgufTensorInput {
  name: string;
  /** ggml type id. */
  type: number;
  /** GGUF dims, ne0 first. */
  dims: readonly number[];
  /** Payload bytes; default: the data's length, or the type's size formula for lazy data. */
  nbytes?: number;
  /** The payload, or a function producing it when its turn comes (so only one tensor is in memory). */
  data: Uint8Array | (() => Promise<Uint8Array>);
}

export interface GgufFileContent {
  /** KVs in file order (a `Map<string, GgufKv>` from the reader works as is). */
  kv: Iterable<readonly [string, GgufKvInput]>;
  tensors: readonly GgufTensorInput[];
}

/** Writes a complete GGUF file at `path` (nothing is left behind on failure). */
export function writeGgufFile(path: string, content: GgufFileContent, options: GgufWriterOptions = {}): Promise<GgufLayout> {
  return writeFileAtomically(path, async (sink) => {
    const writer = createGgufWriter(sink, options);
    for (const [key, kv] of content.kv) writer.addKv(key, kv.type, kv.value);
    for (const t of content.tensors) {
      writer.addTensorInfo(t.name, t.type, t.dims, t.nbytes ?? (t.data instanceof Uint8Array ? t.data.length : undefined));
    }
    const layout = await writer.writeHeader();
    for (const t of content.tensors) {
      await writer.writeTensorData(t.name, t.data instanceof Uint8Array ? t.data : await t.data());
    }
    await writer.close();
    return layout;
  });
}
