/**
 * The GGUF KVs a container carries (its `gguf-metadata.gguf` side file, checksum verified): what a
 * direct GGUF conversion writes — general.*, the architecture's hyperparameters, the tokenizer,
 * ternpack.tl* / ternpack.cb158.* — for GGUF export and for tools that describe the model.
 */
import { fail } from "../core/errors.js";
import { bufferSource } from "../core/io.js";
import type { ContainerFile } from "../../formats/container/index.js";
import { parseGguf, type GgufFile } from "../../formats/gguf/parse.js";
import { GGUF_METADATA_FILE } from "../pipeline/container-inputs.js";

export async function readContainerMetadata(c: ContainerFile): Promise<GgufFile> {
  if (!c.hasFile(GGUF_METADATA_FILE)) fail("TENSOR_NOT_FOUND", { file: c.source.name, tensor: GGUF_METADATA_FILE, detail: "the container has no GGUF metadata side file" });
  return parseGguf(bufferSource(await c.readFile(GGUF_METADATA_FILE), `${c.source.name}:${GGUF_METADATA_FILE}`));
}
