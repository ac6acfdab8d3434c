/** A ByteSink collecting everything written, for small outputs built in memory (metadata blobs, tests). */
import type { ByteSink } from "./atomic-file.js";

export interface MemorySink extends ByteSink {
  /** Everything written so far, as one array. */
  bytes(): Uint8Array;
}

export function memorySink(): MemorySink {
  const chunks: Uint8Array[] = [];
  let position = 0;
  return {
    get position() {
      return position;
    },
    async write(bytes) {
      chunks.push(bytes.slice());
      position += bytes.length;
    },
    bytes() {
      const out = new Uint8Array(position);
      let at = 0;
      for (const c of chunks) {
        out.set(c, at);
        at += c.length;
      }
      return out;
    },
  };
}
