/** prepublish of ternpack containers (.tpk): the golden containers of fixtures/container, and a corrupted copy. */
import { copyFile, mkdir, readFile, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prepublish } from "../../src/api/prepublish.js";
import { readModelCard } from "../../src/hub/front-matter.js";
import { fixturePath, sha256 } from "../helpers/fixtures.js";
import { tempRoot } from "./fake-cache.js";

const GOLDEN = ["tinystories-656k-TL1.tpk", "tinystories-656k-CB158.tpk"].map((n) => fixturePath(`container/${n}`));

let root: string;
let cleanup: () => Promise<void>;
beforeAll(async () => ({ root, cleanup } = await tempRoot("ternpack-publish-tpk-")));
afterAll(() => cleanup());

/** The card's front matter as key → value, and its body. */
async function cardOf(dir: string): Promise<{ entries: Record<string, unknown>; body: string }> {
  const card = readModelCard(await readFile(join(dir, "README.md"), "utf8"));
  return { entries: Object.fromEntries(card.entries.map((e) => [e.key, e.value])), body: card.body };
}

async function folderWith(name: string, file: string): Promise<string> {
  const dir = join(root, name);
  await mkdir(dir);
  await copyFile(file, join(dir, basename(file)));
  return dir;
}

describe("prepublish of ternpack containers", () => {
  it("a TL1 container: re-verified, named by its layout, carded as a ternpack file", async () => {
    const dir = await folderWith("tl1", GOLDEN[0]!);
    const r = await prepublish({ inputs: dir, repo: "me/TinyStories-656K-ternpack", modelName: "TinyStories-656K" });
    const [f] = r.files;
    expect(f!.hubPath).toBe("TinyStories-656K-TL1.tpk");
    expect(f!.layouts).toEqual(["tl1"]);
    expect(f!.sha256).toBe(sha256(await readFile(GOLDEN[0]!)));
    expect(f!.checks.map((c) => c.name)).toEqual(["structure", "checksums", "packed tensors"]);
    expect(f!.checks[2]!.detail).toMatch(/^14 re-verified with the reference kernels/);
    const card = await cardOf(dir);
    expect(card.entries["library_name"]).toBe("ternpack");
    expect(card.entries["tags"]).toEqual(expect.arrayContaining(["tpk", "tl1", "ternary"]));
    expect(card.body).toContain("ternpack export");
  });

  it("a CB158 container: its layout is cb158 and the card says so", async () => {
    const dir = await folderWith("cb158", GOLDEN[1]!);
    const r = await prepublish({ inputs: dir, repo: "me/TinyStories-656K-CB158" });
    expect(r.files[0]!.layouts).toEqual(["cb158"]);
    expect(r.files[0]!.ternaryBitsPerWeight).toBeLessThan(1.6);
    expect((await cardOf(dir)).entries["tags"]).toEqual(expect.arrayContaining(["cb158"]));
  });

  it("a container with one flipped byte in a tensor blob is refused, naming the file and the tensor", async () => {
    const dir = await folderWith("corrupt", GOLDEN[0]!);
    const path = join(dir, basename(GOLDEN[0]!));
    const bytes = await readFile(path);
    bytes[4096] = bytes[4096]! ^ 0x10; // inside the first tensor blobs (the manifest is at the end)
    await writeFile(path, bytes);
    const e = await prepublish({ inputs: dir, repo: "me/x" }).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: "VERIFY_FAILED", file: path });
    expect((e as { tensor?: string }).tensor).toBeTruthy();
  });
});
