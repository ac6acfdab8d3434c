/** sha256 of files, streamed, and the SHA256SUMS manifest in coreutils' format (`sha256sum -c` reads it). */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { fail } from "../core/errors.js";

export const CHECKSUMS_FILE = "SHA256SUMS";

export async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  try {
    for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  } catch (cause) {
    fail("IO_ERROR", { file: path, detail: (cause as Error).message, cause });
  }
  return hash.digest("hex");
}

/** `<sha256>  <name>` lines (two spaces: text mode, as sha256sum writes), sorted by name. */
export function checksumsText(entries: readonly { name: string; sha256: string }[]): string {
  return [...entries]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((e) => `${e.sha256}  ${e.name}\n`)
    .join("");
}
