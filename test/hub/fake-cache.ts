/** Builds Hugging Face hub caches in temporary folders, laid out as huggingface_hub writes them. */
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoFolderName } from "../../src/hub/repo-id.js";

export interface FakeRepo {
  /** ref name → commit (written with a trailing newline when `newline`). */
  refs?: Record<string, string>;
  /** Commits with a snapshot folder; each gets a config.json naming its commit. */
  snapshots?: string[];
  newline?: boolean;
}

/** A 40-hex commit hash made from a digit. */
export const commit = (d: number | string): string => String(d).repeat(40).slice(0, 40);

export async function tempRoot(prefix = "ternpack-hub-"): Promise<{ root: string; cleanup: () => Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), prefix));
  return { root, cleanup: () => rm(root, { recursive: true, force: true }) };
}

/** Writes `<cache>/models--…/{refs,snapshots,blobs}`; snapshot files are symlinks into blobs/, like the real cache. */
export async function addRepo(cache: string, repoId: string, repo: FakeRepo): Promise<string> {
  const folder = join(cache, repoFolderName(repoId));
  await mkdir(join(folder, "blobs"), { recursive: true });
  for (const [name, hash] of Object.entries(repo.refs ?? {})) {
    const file = join(folder, "refs", name);
    await mkdir(join(file, ".."), { recursive: true });
    await writeFile(file, repo.newline ? `${hash}\n` : hash);
  }
  for (const hash of repo.snapshots ?? []) await addSnapshotFile(folder, hash, "config.json", new TextEncoder().encode(JSON.stringify({ commit: hash })));
  return folder;
}

/** Stores `bytes` as blob `<hash>-<name>` and links `snapshots/<hash>/<name>` to it (`../../blobs/…`). */
export async function addSnapshotFile(repoFolder: string, hash: string, name: string, bytes: Uint8Array): Promise<void> {
  const blob = `${hash.slice(0, 8)}-${name}`;
  await mkdir(join(repoFolder, "snapshots", hash), { recursive: true });
  await writeFile(join(repoFolder, "blobs", blob), bytes);
  await symlink(join("..", "..", "blobs", blob), join(repoFolder, "snapshots", hash, name));
}
