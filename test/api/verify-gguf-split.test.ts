import { copyFile, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { convert } from "../../src/api/convert.js";
import { verifyGguf } from "../../src/api/verify-gguf.js";
import { readGguf, readGgufShard } from "../../formats/gguf/index.js";
import { isTernpackError } from "../../src/core/errors.js";
import { fixturePath } from "../helpers/fixtures.js";

let dir: string;
let shards: string[];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "ternpack-verify-split-"));
  const r = await convert({ input: fixturePath("models/bitnet-synth-1bitllm"), output: join(dir, "m.gguf"), target: "bitnet.cpp", splitMaxBytes: 200_000, workers: 0 });
  shards = r.files;
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("verifyGguf on a split set (I2_S, bitnet.cpp ids, metadata only in shard 1)", () => {
  it("the fixture really is split, and a later shard alone cannot tell its flavor", async () => {
    expect(shards.length).toBeGreaterThanOrEqual(3);
    const later = await readGguf(shards[1]!).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isTernpackError(later, "INVALID_TYPE_ID")).toBe(true);
    const hinted = await readGgufShard(shards[1]!);
    expect(hinted.flavor).toBe("bitnet.cpp");
    expect(hinted.tensors.some((t) => t.typeName === "I2_S")).toBe(true);
  });

  it("any shard stands for the whole set: every shard is read and every ternary tensor verified", async () => {
    const whole = await verifyGguf(shards[0]!);
    const fromLater = await verifyGguf(shards[1]!);
    for (const r of [whole, fromLater]) {
      expect(r.files).toEqual(shards);
      expect(r.flavor).toBe("bitnet.cpp");
      expect(r.ok).toBe(true);
      expect(r.tensors.length).toBe(14);
      expect(r.tensors.every((t) => t.type === "I2_S")).toBe(true);
    }
  });

  it("wholeSet: false verifies one shard, read with shard 1's architecture", async () => {
    const one = await verifyGguf(shards[1]!, { wholeSet: false });
    const header = await readGgufShard(shards[1]!);
    expect(one.files).toEqual([shards[1]]);
    expect(one.tensors.map((t) => t.name)).toEqual(header.tensors.filter((t) => t.typeName === "I2_S").map((t) => t.name));
    expect(one.ok).toBe(true);
  });

  it("a missing shard is an error naming the file", async () => {
    const absent = shards[0]!.replace(/-00001-of-(\d{5})/, (_, n: string) => `-00001-of-${String(Number(n) + 1).padStart(5, "0")}`);
    const e = await verifyGguf(absent).catch((x: unknown) => x);
    expect(isTernpackError(e)).toBe(true);
    expect(String((e as Error).message)).toContain(absent);
  });

  it("a file that only looks like a shard: verified alone when its shard 1 is not split, SHARD_MISSING when shard 1 is absent", async () => {
    const single = await convert({ input: fixturePath("models/bitnet-synth-1bitllm"), output: join(dir, "one.gguf"), target: "bitnet.cpp", workers: 0 });
    const named = join(dir, "one-00001-of-00002.gguf");
    await copyFile(single.files[0]!, named);
    const r = await verifyGguf(named);
    expect(r.files).toEqual([named]);
    expect(r.ok).toBe(true);
    expect(r.tensors.length).toBe(14);
    const orphan = join(dir, "two-00002-of-00002.gguf");
    await copyFile(single.files[0]!, orphan);
    const e = await verifyGguf(orphan).catch((x: unknown) => x);
    expect(isTernpackError(e, "SHARD_MISSING")).toBe(true);
  });
});
