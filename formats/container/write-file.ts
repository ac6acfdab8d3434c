/** One-call container writing on top of the writer, through an atomic temp-file-and-rename. */
import { writeFileAtomically } from "../../src/core/atomic-file.js";
import type { ContainerManifest } from "./manifest.js";
import { createContainerWriter, type ContainerTensorDecl, type ContainerWriterOptions } from "./writer.js";

export interface ContainerContent {
  files: readonly { name: string; role: string; bytes: Uint8Array }[];
  /** In file order; `data` may be produced when its turn comes, so only one tensor is in memory. */
  tensors: readonly (ContainerTensorDecl & { data: Uint8Array | (() => Promise<Uint8Array>) })[];
}

/** Writes a complete container at `path` (nothing is left behind on failure). */
export function writeContainerFile(path: string, content: ContainerContent, options: ContainerWriterOptions): Promise<ContainerManifest> {
  return writeFileAtomically(path, async (sink) => {
    const writer = createContainerWriter(sink, options);
    for (const t of content.tensors) writer.declareTensor(t);
    await writer.writeHeader();
    for (const f of content.files) await writer.writeFile(f.name, f.role, f.bytes);
    for (const t of content.tensors) await writer.writeTensor(t.name, t.data instanceof Uint8Array ? t.data : await t.data());
    return writer.close();
  });
}
