/** Whether a path is a ternpack container (by its magic bytes), for commands that take GGUF or container files. */
import { withFileSource } from "../core/io.js";
import { hasContainerMagic } from "../../formats/container/index.js";

export async function isContainerFile(path: string): Promise<boolean> {
  return withFileSource(path, async (src) => src.size >= 8 && hasContainerMagic(await src.read(0, 8)));
}
