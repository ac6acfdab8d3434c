/**
 * Reading GGUF files: `readGguf` parses the header of a file or any ByteSource (lazily, in
 * windows); `readTensorData` fetches one tensor's payload on demand.
 */
import { fail } from "../../src/core/errors.js";
import { withFileSource, type ByteSource } from "../../src/core/io.js";
import { parseGguf, type GgufFile, type ReadGgufOptions } from "./parse.js";
import type { GgufTensorInfo } from "./tensor-table.js";

/** Parses a GGUF header. Given a path, the file is opened for the parse and closed again. */
export async function readGguf(source: ByteSource | string, options: ReadGgufOptions = {}): Promise<GgufFile> {
  if (typeof source === "string") return withFileSource(source, (s) => parseGguf(s, options));
  return parseGguf(source, options);
}

/** The tensor called `name`; TENSOR_NOT_FOUND if the file has none. */
export function findTensor(gguf: GgufFile, name: string): GgufTensorInfo {
  return gguf.tensors.find((t) => t.name === name) ?? fail("TENSOR_NOT_FOUND", { tensor: name });
}

/** The payload bytes of `tensor` (without padding), read from the source the header came from. */
export function readTensorData(source: ByteSource, tensor: GgufTensorInfo): Promise<Uint8Array> {
  return source.read(tensor.absoluteOffset, tensor.nbytes);
}
