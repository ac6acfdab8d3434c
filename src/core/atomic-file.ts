/**
 * Output files are written to a temporary name next to the target and renamed into place only
 * when complete; on failure the temporary file is removed, so no partial output ever remains.
 */
import { open, rename, rm, type FileHandle } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { TernpackError } from "./errors.js";

export interface ByteSink {
  /** Bytes written so far (the position of the next write). */
  readonly position: number;
  write(bytes: Uint8Array): Promise<void>;
}

function ioError(path: string, cause: unknown): TernpackError {
  if (cause instanceof TernpackError) return cause;
  const err = cause as NodeJS.ErrnoException;
  const code = err?.code === "ENOSPC" || err?.code === "EDQUOT" ? "DISK_FULL" : "IO_ERROR";
  return new TernpackError(code, { file: path, detail: err?.message ?? String(cause), cause });
}

/** A sink over an open file handle that appends sequentially. */
export function fileSink(handle: FileHandle, path: string): ByteSink {
  let position = 0;
  return {
    get position() {
      return position;
    },
    async write(bytes) {
      let done = 0;
      while (done < bytes.length) {
        let written: number;
        try {
          ({ bytesWritten: written } = await handle.write(bytes, done, bytes.length - done, position));
        } catch (cause) {
          throw ioError(path, cause);
        }
        done += written;
        position += written;
      }
    },
  };
}

let counter = 0;

/** The temporary path used while `target` is being written. */
export function tempPathFor(target: string): string {
  counter += 1;
  return join(dirname(target), `.${basename(target)}.${process.pid}.${counter}.tmp`);
}

/**
 * Writes `target` through `fn` into a temporary file, fsyncs and renames it into place.
 * If `fn` throws, the temporary file is removed and the error is re-thrown.
 */
export async function writeFileAtomically<T>(target: string, fn: (sink: ByteSink) => Promise<T>): Promise<T> {
  const temp = tempPathFor(target);
  let handle: FileHandle | undefined;
  try {
    handle = await open(temp, "wx");
    const result = await fn(fileSink(handle, temp));
    await handle.sync();
    await handle.close();
    handle = undefined;
    await rename(temp, target);
    return result;
  } catch (cause) {
    if (handle) await handle.close().catch(() => {});
    await rm(temp, { force: true }).catch(() => {});
    throw ioError(target, cause);
  }
}
