/** readFileRange (a worker's synchronous read): the bytes, into a reused buffer, and a file source's errors. */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { TernpackError } from "../../src/core/errors.js";
import { readFileRange } from "../../src/core/io.js";

function file(bytes: number[]): string {
  const path = join(mkdtempSync(join(tmpdir(), "ternpack-range-")), "f");
  writeFileSync(path, Uint8Array.from(bytes));
  return path;
}

function caught(run: () => unknown): TernpackError {
  try {
    run();
  } catch (e) {
    if (e instanceof TernpackError) return e;
    throw e;
  }
  throw new Error("expected a TernpackError");
}

describe("readFileRange", () => {
  it("reads the range, into the first bytes of a given buffer or a new one", () => {
    const path = file([1, 2, 3, 4, 5, 6]);
    expect(Array.from(readFileRange({ file: path, offset: 2, length: 3 }))).toEqual([3, 4, 5]);
    const into = new Uint8Array(5).fill(9);
    const got = readFileRange({ file: path, offset: 1, length: 2, fileSize: 6 }, into);
    expect(got.buffer).toBe(into.buffer);
    expect(Array.from(into)).toEqual([2, 3, 9, 9, 9]);
  });

  it("a range past the end is TRUNCATED at its offset; a short buffer is USAGE; a missing file IO_ERROR", () => {
    const path = file([1, 2, 3]);
    expect(caught(() => readFileRange({ file: path, offset: 2, length: 2 }))).toMatchObject({ code: "TRUNCATED", file: path, offset: 2 });
    expect(caught(() => readFileRange({ file: path, offset: 0, length: 3 }, new Uint8Array(2)))).toMatchObject({ code: "USAGE" });
    expect(caught(() => readFileRange({ file: `${path}.missing`, offset: 0, length: 1 }))).toMatchObject({ code: "IO_ERROR" });
  });

  it("a file whose size changed since planning is SHARD_MISSING, as for the main thread's reads", () => {
    const path = file([1, 2, 3, 4]);
    expect(caught(() => readFileRange({ file: path, offset: 0, length: 2, fileSize: 5 }))).toMatchObject({
      code: "SHARD_MISSING",
      file: path,
      detail: "shard is now 4 bytes, was 5 when opened",
    });
  });

  it("a read the system refuses (a folder: EISDIR) is IO_ERROR naming the file and offset", () => {
    const folder = mkdtempSync(join(tmpdir(), "ternpack-range-dir-"));
    expect(caught(() => readFileRange({ file: folder, offset: 0, length: 1 }))).toMatchObject({ code: "IO_ERROR", file: folder });
  });
});
