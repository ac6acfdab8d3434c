import { mkdir, readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openCheckpoint, serializeSafetensors } from "../../formats/safetensors/index.js";
import { isTernpackError, type ErrorCode } from "../../src/core/errors.js";
import { hubCacheDir } from "../../src/hub/cache-dir.js";
import { locateModel, resolveModelPath, type ResolveModelOptions } from "../../src/hub/hf-cache.js";
import { repoFolderName } from "../../src/hub/repo-id.js";
import { addRepo, addSnapshotFile, commit, tempRoot } from "./fake-cache.js";

let root: string;
let cleanup: () => Promise<void>;
beforeAll(async () => ({ root, cleanup } = await tempRoot()));
afterAll(() => cleanup());

async function failure(nameOrPath: string, options: ResolveModelOptions): Promise<{ code: ErrorCode; message: string }> {
  try {
    await resolveModelPath(nameOrPath, options);
  } catch (e) {
    if (isTernpackError(e)) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error(`resolveModelPath('${nameOrPath}') did not fail`);
}

const snapshotOf = (cache: string, id: string, hash: string) => join(cache, repoFolderName(id), "snapshots", hash);
const commitIn = async (folder: string) => JSON.parse(await readFile(join(folder, "config.json"), "utf8")).commit as string;

describe("hubCacheDir follows huggingface_hub's precedence", () => {
  const all = { HF_HUB_CACHE: "/a", HUGGINGFACE_HUB_CACHE: "/b", HF_HOME: "/c", XDG_CACHE_HOME: "/d", HOME: "/e" };
  it.each([
    [all, "/a", "HF_HUB_CACHE"],
    [{ ...all, HF_HUB_CACHE: undefined }, "/b", "HUGGINGFACE_HUB_CACHE"],
    [{ ...all, HF_HUB_CACHE: "", HUGGINGFACE_HUB_CACHE: undefined }, "/c/hub", "HF_HOME"],
    [{ XDG_CACHE_HOME: "/d", HOME: "/e" }, "/d/huggingface/hub", "XDG_CACHE_HOME"],
    [{ HOME: "/e" }, "/e/.cache/huggingface/hub", "default"],
    [{ HF_HOME: "~/hf", HOME: "/e" }, "/e/hf/hub", "HF_HOME"],
    [{ HF_HUB_CACHE: "~", HOME: "/e" }, "/e", "HF_HUB_CACHE"],
  ] as const)("%j → %s (%s)", (env, dir, from) => {
    expect(hubCacheDir(env)).toEqual({ dir, from });
  });
});

describe("resolveModelPath", () => {
  it("returns an existing path as an absolute path, even when it also looks like a repo id", async () => {
    const folder = join(root, "local", "owner", "model");
    await mkdir(folder, { recursive: true });
    const rel = relative(process.cwd(), folder);
    expect(await resolveModelPath(rel, { env: {} })).toBe(folder);
    expect(await locateModel(folder, { env: {} })).toEqual({ kind: "path", path: folder });
  });

  it("finds refs/main → snapshots/<commit> and reports how", async () => {
    const cache = join(root, "c-main");
    const folder = await addRepo(cache, "owner/tiny-model", { refs: { main: commit(1), dev: commit(2) }, snapshots: [commit(1), commit(2)], newline: true });
    const env = { HF_HUB_CACHE: cache };
    const path = await resolveModelPath("owner/tiny-model", { env });
    expect(path).toBe(snapshotOf(cache, "owner/tiny-model", commit(1)));
    expect(await commitIn(path)).toBe(commit(1));
    expect(await locateModel("owner/tiny-model", { env, revision: "dev" })).toEqual({
      kind: "hf-cache",
      path: snapshotOf(cache, "owner/tiny-model", commit(2)),
      repoId: "owner/tiny-model",
      revision: "dev",
      commit: commit(2),
      cacheDir: cache,
      cacheDirFrom: "HF_HUB_CACHE",
      repoFolder: folder,
    });
  });

  it("accepts a commit hash as the revision without a ref, and refs/pr/N paths", async () => {
    const cache = join(root, "c-hash");
    await addRepo(cache, "o/m", { refs: { main: commit(3), "refs/pr/1": commit(5) }, snapshots: [commit(3), commit(4), commit(5)] });
    const env = { HF_HUB_CACHE: cache };
    expect(await commitIn(await resolveModelPath("o/m", { env, revision: commit(4) }))).toBe(commit(4));
    expect(await commitIn(await resolveModelPath("o/m", { env, revision: "refs/pr/1" }))).toBe(commit(5));
  });

  it("uses the cache each environment variable selects", async () => {
    const place = {
      HF_HUB_CACHE: join(root, "e1"),
      HUGGINGFACE_HUB_CACHE: join(root, "e2"),
      HF_HOME: join(root, "e3"),
      XDG_CACHE_HOME: join(root, "e4"),
      HOME: join(root, "e5"),
    };
    const caches = [place.HF_HUB_CACHE, place.HUGGINGFACE_HUB_CACHE, join(place.HF_HOME, "hub"), join(place.XDG_CACHE_HOME, "huggingface", "hub"), join(place.HOME, ".cache", "huggingface", "hub")];
    for (const [i, cache] of caches.entries()) await addRepo(cache, "o/m", { refs: { main: commit(i) }, snapshots: [commit(i)] });
    const envs = [
      place,
      { ...place, HF_HUB_CACHE: undefined },
      { HF_HOME: place.HF_HOME, XDG_CACHE_HOME: place.XDG_CACHE_HOME, HOME: place.HOME },
      { XDG_CACHE_HOME: place.XDG_CACHE_HOME, HOME: place.HOME },
      { HOME: place.HOME },
    ];
    const found = [];
    for (const env of envs) found.push(await commitIn(await resolveModelPath("o/m", { env })));
    expect(found).toEqual(caches.map((_, i) => commit(i)));
  });

  it("bare names map to models--<name>", async () => {
    const cache = join(root, "c-bare");
    await addRepo(cache, "gpt2", { refs: { main: commit(7) }, snapshots: [commit(7)] });
    expect(await resolveModelPath("gpt2", { env: { HF_HUB_CACHE: cache } })).toBe(join(cache, "models--gpt2", "snapshots", commit(7)));
  });

  it("a snapshot whose model.safetensors is a symlink into blobs/ opens as a checkpoint", async () => {
    const cache = join(root, "c-st");
    const folder = await addRepo(cache, "o/st", { refs: { main: commit(8) } });
    const data = new Uint8Array(new Float32Array([1.5, -2]).buffer);
    await addSnapshotFile(folder, commit(8), "model.safetensors", serializeSafetensors([{ name: "w", dtype: "F32", shape: [2], data }]));
    const checkpoint = await openCheckpoint(await resolveModelPath("o/st", { env: { HF_HUB_CACHE: cache } }));
    try {
      expect([...(await checkpoint.readFloat32("w"))]).toEqual([1.5, -2]);
    } finally {
      await checkpoint.close();
    }
  });
});

describe("resolveModelPath errors say where it looked", () => {
  it("repo not in the default cache: the brief's wording", async () => {
    const home = join(root, "nohome");
    const cache = join(home, ".cache", "huggingface", "hub");
    await mkdir(cache, { recursive: true });
    const { code, message } = await failure("x/y", { env: { HOME: home } });
    expect(code).toBe("IO_ERROR");
    expect(message).toContain(`model 'x/y' is not a folder and not in the Hugging Face cache at ${cache} (looked for models--x--y/refs/main)`);
  });

  it("names the variable that chose the cache, a missing cache folder, and a hash revision's snapshot", async () => {
    const cache = join(root, "does-not-exist");
    const { message } = await failure("x/y", { env: { HF_HOME: cache }, revision: commit("a") });
    expect(message).toContain(
      `not in the Hugging Face cache at ${join(cache, "hub")} (looked for models--x--y/snapshots/${commit("a")}; that folder does not exist; the cache folder is set by HF_HOME)`,
    );
  });

  it("unknown revision: lists the cached refs and snapshots", async () => {
    const cache = join(root, "c-rev");
    await addRepo(cache, "o/m", { refs: { main: commit(1) }, snapshots: [commit(1)] });
    const { code, message } = await failure("o/m", { env: { HF_HUB_CACHE: cache }, revision: "v2" });
    expect(code).toBe("IO_ERROR");
    expect(message).toContain(`model 'o/m' is in the Hugging Face cache at ${cache} but not at revision 'v2' (looked for models--o--m/refs/v2; refs: main; snapshots: ${commit(1)}`);
  });

  it("a ref naming a snapshot that is not there, and a ref that holds no hash", async () => {
    const cache = join(root, "c-broken");
    await addRepo(cache, "o/m", { refs: { main: commit(2), bad: "not-a-hash" }, snapshots: [commit(1)] });
    const env = { HF_HUB_CACHE: cache };
    expect((await failure("o/m", { env })).message).toContain(
      `refs/main names commit ${commit(2)}, which has no snapshot folder (looked for models--o--m/snapshots/${commit(2)})`,
    );
    expect((await failure("o/m", { env, revision: "bad" })).message).toContain(`models--o--m/refs/bad holds "not-a-hash", not a commit hash`);
  });

  it.each([
    ["a/b/c", "at most one '/'"],
    ["a--b/c", "'--'"],
    ["o/m..x", "'..'"],
    ["o/-m", "'-m' is not made of"],
    ["o/m.git", "'.git'"],
    ["", "it is empty"],
  ])("USAGE for the invalid repo id %j (%s)", async (id, why) => {
    const { code, message } = await failure(id, { env: { HF_HUB_CACHE: root } });
    expect(code).toBe("USAGE");
    expect(message).toContain(`model '${id}' is not a file or folder, and not a Hugging Face repo id`);
    expect(message).toContain(why);
  });

  it("IO_ERROR for a missing path that is clearly a path", async () => {
    for (const p of [join(root, "nope"), "./nope/x", "../nope"]) {
      const { code, message } = await failure(p, { env: { HF_HUB_CACHE: root } });
      expect(code).toBe("IO_ERROR");
      expect(message).toContain(`model '${p}': no such file or folder`);
    }
  });

  it.each(["../../etc", "/abs", "a//b", "a\\b", ""])("USAGE for the unusable revision %j", async (revision) => {
    const { code, message } = await failure("o/m", { env: { HF_HUB_CACHE: root }, revision });
    expect(code).toBe("USAGE");
    expect(message).toContain(`revision ${JSON.stringify(revision)} is not usable`);
  });
});
