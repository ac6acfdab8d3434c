/** `--imatrix FILE`: a GGUF imatrix (starts with "GGUF") or else a legacy `.dat` file. */
import { fail } from "../../core/errors.js";
import { withFileSource } from "../../core/io.js";
import { GGUF_MAGIC } from "../../../formats/gguf/index.js";
import { importGgufImatrix } from "./gguf-import.js";
import { importLegacyImatrix } from "./legacy.js";
import type { ImportanceMatrix } from "./types.js";

/** Legacy files are read whole; real ones are a few MiB even for 70B models. */
export const MAX_LEGACY_IMATRIX_BYTES = 1 << 30;

export function readImatrix(path: string): Promise<ImportanceMatrix> {
  return withFileSource(path, async (source) => {
    const head = await source.read(0, Math.min(4, source.size));
    const magic = head.length === 4 ? new DataView(head.buffer, head.byteOffset, 4).getUint32(0, true) : undefined;
    if (magic === GGUF_MAGIC) return importGgufImatrix(source);
    if (source.size > MAX_LEGACY_IMATRIX_BYTES) {
      fail("LIMIT_EXCEEDED", { file: path, detail: `${source.size} bytes is too large for a legacy imatrix (at most ${MAX_LEGACY_IMATRIX_BYTES})` });
    }
    return importLegacyImatrix(await source.read(0, source.size), path);
  });
}
