import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { bufferSource, openFileSource } from "../../src/core/io.js";
import { isTernpackError } from "../../src/core/errors.js";

async function code(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
  } catch (e) {
    return isTernpackError(e) ? e.code : `not a TernpackError: ${String(e)}`;
  }
  return undefined;
}

describe("byte sources", () => {
  it("reads exact ranges and refuses reads past the end with TRUNCATED", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ternpack-io-"));
    writeFileSync(join(dir, "f"), Uint8Array.from([1, 2, 3, 4, 5]));
    const src = await openFileSource(join(dir, "f"));
    expect(src.size).toBe(5);
    expect(Array.from(await src.read(1, 3))).toEqual([2, 3, 4]);
    expect(await code(src.read(3, 3))).toBe("TRUNCATED");
    expect(await code(src.read(-1, 1))).toBe("OUT_OF_BOUNDS");
    await src.close();
    expect(await code(bufferSource(new Uint8Array(2)).read(1, 2))).toBe("TRUNCATED");
  });

  it("gives IO_ERROR for a missing file and for a folder", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ternpack-io-"));
    expect(await code(openFileSource(join(dir, "missing")))).toBe("IO_ERROR");
    expect(await code(openFileSource(dir))).toBe("IO_ERROR");
  });
});
