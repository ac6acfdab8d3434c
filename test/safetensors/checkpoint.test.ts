/** Sharded checkpoints: index rules, path safety, lazy shard I/O. Built in temporary folders. */
import { mkdir, mkdtemp, rm, symlink, writeFile, appendFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openFileSource, type ByteSource } from "../../src/core/io.js";
import { INDEX_FILE_NAME, openCheckpoint, serializeSafetensors, type TensorToWrite } from "../../formats/safetensors/index.js";
import { expectCode } from "./helpers.js";

let root: string;
let dir: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "ternpack-ckpt-"));
  dir = join(root, "model");
  await mkdir(dir);
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const f32 = (name: string, ...values: number[]): TensorToWrite => ({
  name,
  dtype: "F32",
  shape: [values.length],
  data: new Uint8Array(new Float32Array(values).buffer),
});
const S1 = "model-00001-of-00002.safetensors";
const S2 = "model-00002-of-00002.safetensors";

async function writeShard(name: string, tensors: TensorToWrite[], folder = dir): Promise<void> {
  await writeFile(join(folder, name), serializeSafetensors(tensors, { format: "pt" }));
}
async function writeIndex(weightMap: Record<string, string> | string, totalSize = 16): Promise<void> {
  const text = typeof weightMap === "string" ? weightMap : JSON.stringify({ metadata: { total_size: totalSize }, weight_map: weightMap });
  await writeFile(join(dir, INDEX_FILE_NAME), text);
}
/** Two shards, a/b in the first and c in the second: 16 bytes in all. */
async function writeValid(): Promise<void> {
  await writeShard(S1, [f32("a", 1), f32("b", 2, 3)]);
  await writeShard(S2, [f32("c", 4)]);
  await writeIndex({ a: S1, b: S1, c: S2 });
}

describe("a valid sharded checkpoint", () => {
  it("lists tensors shard by shard and reads across shards", async () => {
    await writeValid();
    const ckpt = await openCheckpoint(dir);
    expect(ckpt.tensors.map((t) => [t.name, t.file.endsWith(t.name === "c" ? S2 : S1)])).toEqual([
      ["a", true],
      ["b", true],
      ["c", true],
    ]);
    expect([...(await ckpt.readFloat32("b"))]).toEqual([2, 3]);
    expect([...(await ckpt.readFloat32("c"))]).toEqual([4]);
    expect(ckpt.totalBytes).toBe(16);
    expect(ckpt.warnings).toEqual([]);
    await ckpt.close();
  });

  it("opens from the index path too", async () => {
    await writeValid();
    const ckpt = await openCheckpoint(join(dir, INDEX_FILE_NAME));
    expect(ckpt.tensors.length).toBe(3);
  });

  it("a total_size mismatch is a warning with the numbers, not an error", async () => {
    await writeValid();
    await writeIndex({ a: S1, b: S1, c: S2 }, 999);
    const ckpt = await openCheckpoint(dir);
    expect(ckpt.warnings).toHaveLength(1);
    expect(ckpt.warnings[0]).toContain("total_size is 999 but the shards' tensors hold 16 bytes");
  });

  it("opening reads only headers; each shard is reopened once, on its first read, and closed by close()", async () => {
    await writeValid();
    const opened: { path: string; reads: [number, number][]; closed: boolean }[] = [];
    const openSource = async (path: string): Promise<ByteSource> => {
      const inner = await openFileSource(path);
      const rec = { path, reads: [] as [number, number][], closed: false };
      opened.push(rec);
      return { ...inner, read: (o, l) => (rec.reads.push([o, l]), inner.read(o, l)), close: () => ((rec.closed = true), inner.close()) };
    };
    const ckpt = await openCheckpoint(dir, { openSource });
    expect(opened.map((o) => [o.reads.length, o.closed])).toEqual([
      [2, true],
      [2, true],
    ]);
    for (const o of opened) expect(o.reads[0]).toEqual([0, 8]);
    await ckpt.readBytes("a");
    await ckpt.readBytes("b");
    expect(opened.length).toBe(3); // only the first shard again
    const a = ckpt.get("a")!;
    expect(opened[2]!.reads).toEqual([
      [a.byteOffset, 4],
      [a.byteOffset + 4, 8],
    ]);
    await ckpt.close();
    expect(opened[2]!.closed).toBe(true);
  });

  it("a shard whose size changed after opening is SHARD_MISSING on read", async () => {
    await writeValid();
    const ckpt = await openCheckpoint(dir);
    await appendFile(join(dir, S2), new Uint8Array(4));
    await expectCode(ckpt.readBytes("c"), "SHARD_MISSING");
    expect([...(await ckpt.readFloat32("a"))]).toEqual([1]);
    await ckpt.close();
  });
});

describe("single-file checkpoints", () => {
  it("a folder with model.safetensors, or the file itself", async () => {
    await writeShard("model.safetensors", [f32("w", 5)]);
    for (const path of [dir, join(dir, "model.safetensors")]) {
      const ckpt = await openCheckpoint(path);
      expect(ckpt.indexFile).toBeUndefined();
      expect([...(await ckpt.readFloat32("w"))]).toEqual([5]);
      await ckpt.close();
    }
  });

  it("an empty folder is UNKNOWN_FORMAT; a missing path is IO_ERROR", async () => {
    await expectCode(openCheckpoint(dir), "UNKNOWN_FORMAT");
    await expectCode(openCheckpoint(join(dir, "nope")), "IO_ERROR");
  });
});

describe("shard paths must stay inside the folder (PATH_ESCAPE)", () => {
  for (const [what, name] of [
    ["a parent path", "../x.safetensors"],
    ["a subfolder path", "sub/x.safetensors"],
    ["a backslash path", "..\\x.safetensors"],
    ["a drive letter", "C:x.safetensors"],
    ["a NUL", "x\u0000.safetensors"],
  ] as const) {
    it(what, async () => {
      await writeShard("x.safetensors", [f32("a", 1)], root); // the target exists
      await writeIndex({ a: name });
      await expectCode(openCheckpoint(dir), "PATH_ESCAPE");
    });
  }

  it("an absolute path", async () => {
    await writeShard("x.safetensors", [f32("a", 1)], root);
    await writeIndex({ a: join(root, "x.safetensors") });
    const err = await expectCode(openCheckpoint(dir), "PATH_ESCAPE");
    expect(err.detail).toContain("path separator");
  });

  it("a symlinked shard leading outside the folder; a symlink inside it is fine", async () => {
    await writeShard("outside.safetensors", [f32("a", 1)], root);
    await symlink(join(root, "outside.safetensors"), join(dir, S1));
    await writeIndex({ a: S1 });
    const err = await expectCode(openCheckpoint(dir), "PATH_ESCAPE");
    expect(err.detail).toContain("outside");

    await rm(join(dir, S1));
    await writeShard("real.safetensors", [f32("a", 1)]);
    await symlink(join(dir, "real.safetensors"), join(dir, S1));
    expect((await openCheckpoint(dir)).tensors.map((t) => t.name)).toEqual(["a"]);
  });
});

describe("sharded snapshots in the Hugging Face cache", () => {
  /** `<cache>/models--o--n/{blobs/<hash>, snapshots/<commit>/<shard> -> ../../blobs/<hash>}`. */
  async function cachedRepo(): Promise<{ repo: string; snapshot: string }> {
    const repo = join(root, "hub", "models--o--n");
    const snapshot = join(repo, "snapshots", "0123456789abcdef0123456789abcdef01234567");
    await mkdir(join(repo, "blobs"), { recursive: true });
    await mkdir(snapshot, { recursive: true });
    for (const [name, tensors] of [[S1, [f32("a", 1), f32("b", 2, 3)]], [S2, [f32("c", 4)]]] as const) {
      await writeFile(join(repo, "blobs", `blob-${name}`), serializeSafetensors(tensors, { format: "pt" }));
      await symlink(join("..", "..", "blobs", `blob-${name}`), join(snapshot, name));
    }
    await writeFile(join(snapshot, INDEX_FILE_NAME), JSON.stringify({ metadata: { total_size: 16 }, weight_map: { a: S1, b: S1, c: S2 } }));
    return { repo, snapshot };
  }

  it("opens shards that are symlinks into the repository's blobs", async () => {
    const { snapshot } = await cachedRepo();
    const ckpt = await openCheckpoint(snapshot);
    expect(ckpt.tensors.map((t) => t.name)).toEqual(["a", "b", "c"]);
    expect(Array.from(await ckpt.readFloat32("c"))).toEqual([4]);
    await ckpt.close();
  });

  it("still refuses a shard that leads outside the blobs folder", async () => {
    const { snapshot } = await cachedRepo();
    await writeShard("elsewhere.safetensors", [f32("c", 4)], root);
    await rm(join(snapshot, S2));
    await symlink(join(root, "elsewhere.safetensors"), join(snapshot, S2));
    const err = await expectCode(openCheckpoint(snapshot), "PATH_ESCAPE");
    expect(err.detail).toContain("blobs");
  });
});

describe("index and shards must agree", () => {
  it("a tensor missing from its shard is SHARD_MISSING", async () => {
    await writeValid();
    await writeIndex({ a: S1, b: S1, c: S2, d: S2 });
    const err = await expectCode(openCheckpoint(dir), "SHARD_MISSING");
    expect(err.tensor).toBe("d");
  });

  it("a tensor mapped to the wrong shard is SHARD_MISSING", async () => {
    await writeValid();
    await writeIndex({ a: S1, b: S2, c: S2 });
    const err = await expectCode(openCheckpoint(dir), "SHARD_MISSING");
    expect(err.tensor).toBe("b");
  });

  it("a missing shard file is SHARD_MISSING", async () => {
    await writeShard(S1, [f32("a", 1)]);
    await writeIndex({ a: S1, c: S2 });
    const err = await expectCode(openCheckpoint(dir), "SHARD_MISSING");
    expect(err.file).toContain(S2);
  });

  it("a shard tensor absent from weight_map is INVALID_INDEX", async () => {
    await writeValid();
    await writeIndex({ a: S1, c: S2 });
    const err = await expectCode(openCheckpoint(dir), "INVALID_INDEX");
    expect(err.tensor).toBe("b");
  });

  it("a tensor present in two shards is INVALID_INDEX", async () => {
    await writeShard(S1, [f32("a", 1)]);
    await writeShard(S2, [f32("a", 2)]);
    await writeIndex({ a: S1, b: S2 });
    const err = await expectCode(openCheckpoint(dir), "INVALID_INDEX");
    expect(err.detail).toBe(`tensor is in both ${S1} and ${S2}`);
  });

  it("a duplicate weight_map key is DUPLICATE_KEY", async () => {
    await writeValid();
    await writeIndex(`{"weight_map": {"a": "${S1}", "b": "${S1}", "c": "${S2}", "a": "${S2}"}}`);
    await expectCode(openCheckpoint(dir), "DUPLICATE_KEY");
  });

  it("a shard with a broken header fails with its own code and file", async () => {
    await writeValid();
    await writeFile(join(dir, S2), new Uint8Array(3));
    const err = await expectCode(openCheckpoint(dir), "HEADER_TOO_SMALL");
    expect(err.file).toContain(S2);
  });
});

describe("index file rules", () => {
  it("not JSON, or without weight_map, is INVALID_INDEX", async () => {
    await writeValid();
    await writeIndex(`{"weight_map": {`);
    await expectCode(openCheckpoint(dir), "INVALID_INDEX");
    await writeIndex(`{"metadata": {}}`);
    await expectCode(openCheckpoint(dir), "INVALID_INDEX");
    await writeIndex(`{"weight_map": {"a": 1}}`);
    await expectCode(openCheckpoint(dir), "INVALID_INDEX");
  });

  it("the index size cap applies (lowered here)", async () => {
    await writeValid();
    await expectCode(openCheckpoint(dir, { limits: { maxIndexBytes: 20 } }), "LIMIT_EXCEEDED");
  });

  it("the shard count cap applies (lowered here)", async () => {
    await writeValid();
    await expectCode(openCheckpoint(dir, { limits: { maxShards: 1 } }), "LIMIT_EXCEEDED");
  });

  it("a non-numeric total_size is a warning", async () => {
    await writeValid();
    await writeIndex(JSON.stringify({ metadata: { total_size: "16" }, weight_map: { a: S1, b: S1, c: S2 } }));
    expect((await openCheckpoint(dir)).warnings).toEqual([`${join(dir, INDEX_FILE_NAME)}: metadata.total_size is not a number; ignored`]);
  });
});
