/**
 * prepublish with push against the fake Hub (real HTTP on 127.0.0.1): what reaches the server,
 * and how a refused token, a 500 halfway through an upload and a dropped connection end.
 */
import { copyFile, mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { prepublish, type PrepublishResult } from "../../src/api/prepublish.js";
import { isTernpackError, type TernpackError } from "../../src/core/errors.js";
import { sha256 } from "../helpers/fixtures.js";
import { tempRoot } from "./fake-cache.js";
import { startFakeHub, type FakeHub, type FakeHubOptions } from "./fake-hub.js";
import { convertSynth, expectNoSecret, TOKEN } from "./publish-fixtures.js";

const REPO = "me/synth-GGUF";
const GGUF_NAME = "synth-TQ2_0.gguf";
let root: string;
let cleanup: () => Promise<void>;
let converted: string;
let hub: FakeHub | undefined;
let folders = 0;

beforeAll(async () => {
  ({ root, cleanup } = await tempRoot("ternpack-push-"));
  converted = (await convertSynth(join(root, "converted")))[0]!;
});
afterEach(async () => {
  await hub?.close();
  hub = undefined;
});
afterAll(() => cleanup());

/** A fresh output folder with the converted GGUF, and a fake Hub. */
async function setup(options: Omit<FakeHubOptions, "token"> & { token?: string } = {}): Promise<{ dir: string; hub: FakeHub }> {
  const dir = join(root, `out-${++folders}`);
  await mkdir(dir);
  await copyFile(converted, join(dir, "synth.gguf"));
  hub = await startFakeHub({ token: TOKEN, ...options });
  return { dir, hub };
}

async function failure(run: Promise<PrepublishResult>): Promise<TernpackError> {
  const e = await run.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!isTernpackError(e)) throw new Error(`expected a TernpackError, got ${String(e)}`);
  return e;
}

const routes = (h: FakeHub) => h.requests.map((r) => r.route);

describe("prepublish --push", () => {
  it("creates the repo, uploads the GGUF through LFS and commits exactly the three files", async () => {
    const { dir, hub } = await setup();
    const r = await prepublish({ inputs: dir, repo: REPO, push: true, hubUrl: hub.url, token: TOKEN, env: {} });

    expect(routes(hub)).toEqual(["resolve", "repo-info", "create", "preupload", "batch", "upload", "commit"]);
    expect(hub.repos.has(REPO)).toBe(true);
    expect(hub.visibility.get(REPO)).toBeUndefined();
    expect(hub.commits).toHaveLength(1);
    const [commit] = hub.commits;
    expect(commit!.repo).toBe(REPO);
    expect(r.operations.at(-1)).toEqual({ op: "commit", title: "Upload synth TQ2_0 (ternpack 0.1.0)", files: 3 });
    expect(commit!.summary).toBe("Upload synth TQ2_0 (ternpack 0.1.0)");
    expect(commit!.files.map((f) => f.path)).toEqual([GGUF_NAME, "README.md", "SHA256SUMS"]);

    const gguf = new Uint8Array(await readFile(converted));
    const lfs = commit!.files[0]!;
    expect(lfs.oid).toBe(sha256(gguf));
    expect(lfs.size).toBe(gguf.length);
    expect(Buffer.from(hub.objects.get(lfs.oid!)!).equals(Buffer.from(gguf))).toBe(true);
    expect(Buffer.from(commit!.files[1]!.content!).equals(await readFile(join(dir, "README.md")))).toBe(true);
    expect(new TextDecoder().decode(commit!.files[2]!.content)).toBe(`${sha256(gguf)}  ${GGUF_NAME}\n`);

    expect(r.dryRun).toBe(false);
    expect(r.card.mergedInto).toBe("none");
    expect(r.commit?.createdRepo).toBe(true);
    expect(r.commit?.url).toBe(`${hub.url}/${REPO}/commit/${r.commit?.oid}`);
    expectNoSecret(TOKEN, r);
  });

  it("uploads a large file in parts (multipart) into an existing repo, endpoint and token from HF_ENDPOINT / HF_TOKEN", async () => {
    const { dir, hub } = await setup({ existingRepos: [REPO], multipartAbove: 100_000, chunkSize: 300_000 });
    const r = await prepublish({ inputs: dir, repo: REPO, push: true, env: { HF_ENDPOINT: hub.url, HF_TOKEN: TOKEN } });

    const gguf = new Uint8Array(await readFile(converted));
    const parts = Math.ceil(gguf.length / 300_000);
    expect(parts).toBeGreaterThan(2);
    expect(routes(hub)).toEqual(["resolve", "repo-info", "preupload", "batch", ...Array<string>(parts).fill("part"), "complete", "commit"]);
    const lfs = hub.commits[0]!.files[0]!;
    expect(Buffer.from(hub.objects.get(lfs.oid!)!).equals(Buffer.from(gguf))).toBe(true);
    expect(r.commit?.createdRepo).toBe(false);
    expect(r.hubUrl).toBe(hub.url);
  });

  it("a second push of the same bytes uploads nothing large: the Hub already holds the LFS object", async () => {
    const { dir, hub } = await setup();
    await prepublish({ inputs: dir, repo: REPO, push: true, hubUrl: hub.url, token: TOKEN, env: {} });
    hub.requests.length = 0;
    const again = await prepublish({ inputs: dir, repo: REPO, push: true, hubUrl: hub.url, token: TOKEN, env: {} });
    // the card is read in two requests (a Range probe for its size, then its text); no upload request
    expect(routes(hub)).toEqual(["resolve", "resolve", "repo-info", "preupload", "batch", "commit"]);
    expect(again.card.mergedInto).toBe("hub");
    expect(hub.commits).toHaveLength(2);
    expect(hub.commits[1]!.files.map((f) => f.path)).toEqual([GGUF_NAME, "README.md", "SHA256SUMS"]);
  });

  it("merges into the card already on the Hub: its front matter and text stay, and the local card becomes the same", async () => {
    const hubCard = "---\nlicense: apache-2.0\ntags:\n- hub-tag\n---\n# Written on the Hub\n\nKeep this.\n";
    const { dir, hub } = await setup({ existingFiles: { [REPO]: { "README.md": hubCard } } });
    await writeFile(join(dir, "README.md"), "---\nlicense: other\n---\nlocal draft\n");
    const r = await prepublish({ inputs: dir, repo: REPO, push: true, hubUrl: hub.url, token: TOKEN, env: {} });

    expect(r.card.mergedInto).toBe("hub");
    const committed = new TextDecoder().decode(hub.commits[0]!.files.find((f) => f.path === "README.md")!.content);
    expect(committed.startsWith("---\nlicense: apache-2.0\ntags:\n- hub-tag\n- bitnet\n")).toBe(true);
    expect(committed).toContain("---\n# Written on the Hub\n\nKeep this.\n\n<!-- ternpack:begin");
    expect(committed).not.toContain("local draft");
    expect(await readFile(join(dir, "README.md"), "utf8")).toBe(committed);
  });

  it("a refused token ends in HUB_AUTH, with no repo, no commit, and the token in no message", async () => {
    const { dir, hub } = await setup({ token: "hf_TheOnlyTokenTheServerAccepts" });
    const e = await failure(prepublish({ inputs: dir, repo: REPO, push: true, hubUrl: hub.url, token: TOKEN, env: {} }));

    expect(e.code).toBe("HUB_AUTH");
    expect(e.message).toContain("reading the repo's model card: HTTP 401");
    expect(e.message).toContain("nothing was committed");
    expect(e.message).toContain("(got Bearer hf_***)"); // the server echoed the token; it was redacted
    expect(hub.repos.size).toBe(0);
    expect(hub.commits).toEqual([]);
    expectNoSecret(TOKEN, e, e.message, e.detail);
  });

  it("a 500 halfway through a multipart upload ends in HUB_REQUEST and no commit", async () => {
    const { dir, hub } = await setup({ existingRepos: [REPO], multipartAbove: 100_000, chunkSize: 300_000, fault: { route: "part", nth: 2, kind: "500" } });
    const e = await failure(prepublish({ inputs: dir, repo: REPO, push: true, hubUrl: hub.url, token: TOKEN, env: {} }));

    expect(e.code).toBe("HUB_REQUEST");
    expect(e.message).toContain("uploading the large files: HTTP 500");
    expect(routes(hub)).not.toContain("complete");
    expect(routes(hub)).not.toContain("commit");
    expect(hub.commits).toEqual([]);
    expectNoSecret(TOKEN, e);
  });

  it("a connection dropped in the middle of the upload ends in HUB_REQUEST and no commit", async () => {
    const { dir, hub } = await setup({ existingRepos: [REPO], fault: { route: "upload", kind: "drop" } });
    const e = await failure(prepublish({ inputs: dir, repo: REPO, push: true, hubUrl: hub.url, token: TOKEN, env: {} }));

    expect(e.code).toBe("HUB_REQUEST");
    expect(e.message).toContain("uploading the large files: the request failed");
    expect(hub.objects.size).toBe(0);
    expect(routes(hub)).not.toContain("commit");
    expect(hub.commits).toEqual([]);
    expectNoSecret(TOKEN, e);
  });

  it("an endpoint nobody listens on ends in HUB_REQUEST before anything is written", async () => {
    const { dir, hub } = await setup();
    await hub.close();
    const e = await failure(prepublish({ inputs: dir, repo: REPO, push: true, hubUrl: hub.url, token: TOKEN, env: {} }));
    expect(e.code).toBe("HUB_REQUEST");
    expect(e.message).toContain("reading the repo's model card: the request failed: fetch failed");
    expect(e.message).toContain("ECONNREFUSED");
    await expect(readFile(join(dir, "README.md"))).rejects.toMatchObject({ code: "ENOENT" });
    expectNoSecret(TOKEN, e);
  });

  it("a connection dropped while committing ends in HUB_REQUEST and no commit", async () => {
    const { dir, hub } = await setup({ existingRepos: [REPO], fault: { route: "commit", kind: "drop" } });
    const e = await failure(prepublish({ inputs: dir, repo: REPO, push: true, hubUrl: hub.url, token: TOKEN, env: {} }));

    expect(e.code).toBe("HUB_REQUEST");
    expect(e.message).toContain("committing: the request failed");
    expect(e.message).toContain("the commit may or may not have been recorded");
    expect(hub.commits).toEqual([]);
    expectNoSecret(TOKEN, e);
  });
});
