/** `ternpack publish`: dry-run output, --json, and --push against the fake Hub, with the token never printed. */
import { copyFile, mkdir } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../cli/run-cli.js";
import { tempRoot } from "./fake-cache.js";
import { startFakeHub, type FakeHub } from "./fake-hub.js";
import { convertSynth, expectNoSecret, TOKEN } from "./publish-fixtures.js";

let root: string;
let cleanup: () => Promise<void>;
let converted: string;
let hub: FakeHub;
let folders = 0;

beforeAll(async () => {
  ({ root, cleanup } = await tempRoot("ternpack-publish-cli-"));
  converted = (await convertSynth(join(root, "converted")))[0]!;
  hub = await startFakeHub({ token: TOKEN });
});
afterAll(async () => {
  await hub.close();
  await cleanup();
});

async function outputFolder(): Promise<string> {
  const dir = join(root, `out-${++folders}`);
  await mkdir(dir);
  await copyFile(converted, join(dir, "synth.gguf"));
  return dir;
}

describe("ternpack publish", () => {
  it("prints the validation and the planned operations, and sends nothing without --push", async () => {
    const dir = await outputFolder();
    const run = await runCli("publish", dir, "--repo", "me/synth-GGUF", "--hub-url", hub.url, "--token", TOKEN);
    expect(run.code).toBe(0);
    // 14 = 2 layers × 7 projections of the fixture
    expect(run.stdout).toContain("ternary tensors: 14 re-verified with the reference kernels against their own decoded codes");
    expect(run.stdout).toContain(`planned repo operations (dry run, nothing sent; add --push to upload; a card already in the repo is then merged into) on ${hub.url}:`);
    expect(run.stdout).toContain(`upload synth-TQ2_0.gguf (large file, LFS,`);
    expect(run.stdout).toContain('commit "Upload synth TQ2_0 (ternpack 0.1.0)" with 3 files to main');
    expect(hub.requests).toEqual([]);
    expectNoSecret(TOKEN, run.stdout, run.stderr);
  });

  it("--json prints the result document", async () => {
    const dir = await outputFolder();
    const run = await runCli("publish", dir, "--repo", "me/synth-GGUF", "--model-name", "Synth 1.58", "--json");
    expect(run.code).toBe(0);
    const doc = JSON.parse(run.stdout) as { dryRun: boolean; files: { hubPath: string }[]; card: { path: string } };
    expect(doc.dryRun).toBe(true);
    expect(doc.files.map((f) => f.hubPath)).toEqual(["Synth-1.58-TQ2_0.gguf"]);
    expect(doc.card.path).toBe(join(dir, "README.md"));
  });

  it("--push commits to the Hub; a refused token exits 1 with HUB_AUTH; neither prints the token", async () => {
    const dir = await outputFolder();
    const ok = await runCli("publish", dir, "--repo", "me/cli-GGUF", "--push", "--private", "--hub-url", hub.url, "--token", TOKEN);
    expect(ok.code).toBe(0);
    expect(hub.commits.map((c) => c.repo)).toEqual(["me/cli-GGUF"]);
    expect(hub.visibility.get("me/cli-GGUF")).toBe("private");
    expect(ok.stdout).toMatch(new RegExp(`created the repo and committed [0-9a-f]{40}: ${hub.url}/me/cli-GGUF/commit/`));
    expect(ok.stderr).toContain("push: committing…");

    const refused = await runCli("publish", dir, "--repo", "me/other-GGUF", "--push", "--hub-url", hub.url, "--token", "hf_NotTheRightOne0000");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("ternpack publish: HUB_AUTH");
    expect(hub.commits).toHaveLength(1);
    expectNoSecret(TOKEN, ok.stdout, ok.stderr, refused.stdout, refused.stderr);
    expectNoSecret("hf_NotTheRightOne0000", refused.stdout, refused.stderr);
  });

  it("without --repo or inputs it is a usage error", async () => {
    const dir = await outputFolder();
    expect((await runCli("publish", dir)).code).toBe(2);
    expect((await runCli("publish", "--repo", "me/x")).stderr).toContain("expected an output folder or files");
  });
});
