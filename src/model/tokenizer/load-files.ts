/** Node-only: reads the tokenizer files a model folder has (the library itself never touches the disk). */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { fail } from "../../core/errors.js";
import { TOKENIZER_FILE_NAMES, type TokenizerFiles } from "./files.js";

/** Every file of TOKENIZER_FILE_NAMES present in `folder`, as bytes; absent files are left out. */
export async function loadTokenizerFiles(folder: string): Promise<TokenizerFiles> {
  const files: Record<string, Uint8Array> = {};
  await Promise.all(
    TOKENIZER_FILE_NAMES.map(async (name) => {
      try {
        const buf = await readFile(join(folder, name));
        files[name] = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
      } catch (cause) {
        if ((cause as NodeJS.ErrnoException).code !== "ENOENT") fail("IO_ERROR", { file: join(folder, name), detail: (cause as Error).message, cause });
      }
    }),
  );
  return files;
}
