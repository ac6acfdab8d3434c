import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isTernpackError } from "../../src/core/errors.js";
import { bufferSource, openFileSource } from "../../src/core/io.js";

describe("reading into a caller's buffer", () => {
  it("a file source reads into the first bytes of `out` and returns a view of it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ternpack-io-"));
    writeFileSync(join(dir, "f"), Uint8Array.from([1, 2, 3, 4, 5]));
    const src = await openFileSource(join(dir, "f"));
    const out = new Uint8Array(6).fill(9);
    const got = await src.read(1, 3, out);
    expect(got.buffer).toBe(out.buffer);
    expect(Array.from(got)).toEqual([2, 3, 4]);
    expect(Array.from(out)).toEqual([2, 3, 4, 9, 9, 9]);
    let caught: unknown;
    try {
      await src.read(0, 4, new Uint8Array(3));
    } catch (e) {
      caught = e;
    }
    expect(isTernpackError(caught, "USAGE")).toBe(true);
    await src.close();
  });

  it("a buffer source returns a view of its bytes and leaves `out` alone", async () => {
    const bytes = Uint8Array.from([5, 6, 7]);
    const out = new Uint8Array(2);
    const got = await bufferSource(bytes).read(1, 2, out);
    expect(got.buffer).toBe(bytes.buffer);
    expect(Array.from(got)).toEqual([6, 7]);
    expect(Array.from(out)).toEqual([0, 0]);
  });
});
