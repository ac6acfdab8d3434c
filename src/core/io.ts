/**
 * Byte sources and sinks: the only place (with `atomic-file.ts`) where format code touches
 * the file system. Readers take a `ByteSource`, so tests can hand them a buffer or count reads.
 */
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { open, type FileHandle } from "node:fs/promises";
import { TernpackError } from "./errors.js";

export interface ByteSource {
  /** Name used in error messages (usually the path). */
  readonly name: string;
  /** Total size in bytes. */
  readonly size: number;
  /**
   * Exactly `length` bytes starting at `offset`; fails with TRUNCATED past the end. A file source
   * reads into `out` when it is given (at least `length` bytes; the first `length` are returned as a
   * view of it), so that callers can reuse buffers; a buffer source returns a view of its bytes and
   * leaves `out` untouched.
   */
  read(offset: number, length: number, out?: Uint8Array): Promise<Uint8Array>;
  close(): Promise<void>;
}

function checkRange(name: string, size: number, offset: number, length: number): void {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
    throw new TernpackError("OUT_OF_BOUNDS", { file: name, offset, detail: `invalid range of ${length} bytes` });
  }
  if (offset + length > size) {
    throw new TernpackError("TRUNCATED", {
      file: name,
      offset,
      detail: `need ${length} bytes at ${offset}, file has ${size}`,
    });
  }
}

/** A source over bytes already in memory (tests, small files). */
export function bufferSource(bytes: Uint8Array, name = "<buffer>"): ByteSource {
  return {
    name,
    size: bytes.length,
    async read(offset, length) {
      checkRange(name, bytes.length, offset, length);
      return bytes.subarray(offset, offset + length);
    },
    async close() {},
  };
}

/** A source over a file, read by positional reads; nothing is read until asked for. */
export async function openFileSource(path: string): Promise<ByteSource> {
  let handle: FileHandle;
  try {
    handle = await open(path, "r");
  } catch (cause) {
    throw new TernpackError("IO_ERROR", { file: path, detail: (cause as Error).message, cause });
  }
  const info = await handle.stat();
  if (!info.isFile()) {
    await handle.close();
    throw new TernpackError("IO_ERROR", { file: path, detail: info.isDirectory() ? "is a folder, not a file" : "is not a regular file" });
  }
  const { size } = info;
  return {
    name: path,
    size,
    async read(offset, length, into) {
      checkRange(path, size, offset, length);
      if (into !== undefined && into.length < length) {
        throw new TernpackError("USAGE", { file: path, offset, detail: `read buffer of ${into.length} bytes for ${length} bytes` });
      }
      const out = into === undefined ? new Uint8Array(length) : into.subarray(0, length);
      let done = 0;
      while (done < length) {
        const { bytesRead } = await handle.read(out, done, length - done, offset + done);
        if (bytesRead === 0) {
          throw new TernpackError("TRUNCATED", { file: path, offset: offset + done, detail: "file shrank while reading" });
        }
        done += bytesRead;
      }
      return out;
    },
    async close() {
      await handle.close();
    },
  };
}

/** Runs `fn` with an open file source and always closes it. */
export async function withFileSource<T>(path: string, fn: (src: ByteSource) => Promise<T>): Promise<T> {
  const src = await openFileSource(path);
  try {
    return await fn(src);
  } finally {
    await src.close();
  }
}

/** SHARD_MISSING unless a checkpoint file still has the size it had when the checkpoint was opened. */
export function requireUnchangedSize(file: string, size: number, sizeWhenOpened: number): void {
  if (size !== sizeWhenOpened) throw new TernpackError("SHARD_MISSING", { file, detail: `shard is now ${size} bytes, was ${sizeWhenOpened} when opened` });
}

/** Where a tensor's bytes are in a file: `length` bytes from `offset` of `file`, whose size was `fileSize` when planned. */
export interface FileRange {
  file: string;
  offset: number;
  length: number;
  fileSize?: number;
}

/**
 * The bytes of `range`, read synchronously into `into` (its first `length` bytes are returned) or
 * a new array, with a file source's errors (IO_ERROR, TRUNCATED past the end or when the file
 * shrinks). For a worker thread, whose job is synchronous once the bytes are in.
 */
export function readFileRange(range: FileRange, into?: Uint8Array): Uint8Array {
  const { file, offset, length } = range;
  let fd: number;
  try {
    fd = openSync(file, "r");
  } catch (cause) {
    throw new TernpackError("IO_ERROR", { file, detail: (cause as Error).message, cause });
  }
  let failed = false;
  try {
    const size = ioCall(file, offset, () => fstatSync(fd).size);
    if (range.fileSize !== undefined) requireUnchangedSize(file, size, range.fileSize);
    checkRange(file, size, offset, length);
    if (into !== undefined && into.length < length) throw new TernpackError("USAGE", { file, offset, detail: `read buffer of ${into.length} bytes for ${length} bytes` });
    const out = into === undefined ? new Uint8Array(length) : into.subarray(0, length);
    for (let done = 0; done < length; ) {
      const bytesRead = ioCall(file, offset + done, () => readSync(fd, out, done, length - done, offset + done));
      if (bytesRead === 0) throw new TernpackError("TRUNCATED", { file, offset: offset + done, detail: "file shrank while reading" });
      done += bytesRead;
    }
    return out;
  } catch (e) {
    failed = true;
    throw e;
  } finally {
    // a failing close must not hide the error that got us here
    if (failed) tryClose(fd);
    else ioCall(file, undefined, () => closeSync(fd));
  }
}

/** `call()`, its system error (EIO, EISDIR, …) as IO_ERROR naming the file and offset. */
function ioCall<T>(file: string, offset: number | undefined, call: () => T): T {
  try {
    return call();
  } catch (cause) {
    throw new TernpackError("IO_ERROR", { file, ...(offset === undefined ? {} : { offset }), detail: (cause as Error).message, cause });
  }
}

function tryClose(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // the caller is already failing with the first error
  }
}
