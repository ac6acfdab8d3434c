/**
 * Model folders by path or by Hugging Face repo id, without network: an existing path is used as
 * it is; otherwise `owner/name` is looked up in the local hub cache as huggingface_hub lays it out:
 *   <cache>/models--owner--name/refs/<revision>        holds a commit hash
 *   <cache>/models--owner--name/snapshots/<commit>/    the files (symlinks into ../../blobs/)
 * A revision is a ref name (default "main") or a full 40-hex commit hash. Like huggingface_hub's
 * `try_to_load_from_cache`, a ref file wins over reading the revision as a hash.
 */
import { readdir, readFile, stat } from "node:fs/promises";
import { isAbsolute, join, resolve } from "node:path";
import { fail } from "../core/errors.js";
import { hubCacheDir, type CacheDirSource, type Environment } from "./cache-dir.js";
import { checkRevision, COMMIT_HASH, repoFolderName, repoIdProblem } from "./repo-id.js";

export interface ResolveModelOptions {
  /** Environment to read the cache variables from (default `process.env`). */
  env?: Environment;
  /** Branch, tag, ref path ("refs/pr/1") or commit hash; default "main". */
  revision?: string;
}

export type ModelLocation =
  | { kind: "path"; path: string }
  | {
      kind: "hf-cache";
      /** The snapshot folder. */
      path: string;
      repoId: string;
      revision: string;
      /** The commit the revision resolved to (the snapshot folder's name). */
      commit: string;
      cacheDir: string;
      cacheDirFrom: CacheDirSource;
      /** `<cache>/models--owner--name`; its `blobs/` holds what the snapshot's symlinks point to. */
      repoFolder: string;
    };

export const DEFAULT_REVISION = "main";

async function kindOf(path: string): Promise<"file" | "dir" | undefined> {
  try {
    const s = await stat(path);
    return s.isDirectory() ? "dir" : s.isFile() ? "file" : undefined;
  } catch {
    return undefined;
  }
}

async function entries(folder: string): Promise<string[]> {
  return readdir(folder).then((names) => names.sort(), () => []);
}

/** Strings a user means as a file system path rather than a repo id. */
function looksLikePath(s: string): boolean {
  return isAbsolute(s) || s.startsWith(".") || s.startsWith("~") || s.includes("\\");
}

/** Where `nameOrPath` is, and how it was found. Throws USAGE (bad id or revision) or IO_ERROR (not found). */
export async function locateModel(nameOrPath: string, options: ResolveModelOptions = {}): Promise<ModelLocation> {
  if (nameOrPath !== "" && (await kindOf(nameOrPath)) !== undefined) return { kind: "path", path: resolve(nameOrPath) };
  if (looksLikePath(nameOrPath)) fail("IO_ERROR", { file: resolve(nameOrPath), detail: `model '${nameOrPath}': no such file or folder` });
  const problem = repoIdProblem(nameOrPath);
  if (problem !== undefined) {
    fail("USAGE", { detail: `model '${nameOrPath}' is not a file or folder, and not a Hugging Face repo id ('owner/name'): ${problem}` });
  }
  const revision = options.revision ?? DEFAULT_REVISION;
  checkRevision(revision);
  return findInCache(nameOrPath, revision, options.env ?? process.env);
}

/** The folder of `nameOrPath` (see `locateModel`). */
export async function resolveModelPath(nameOrPath: string, options: ResolveModelOptions = {}): Promise<string> {
  return (await locateModel(nameOrPath, options)).path;
}

async function findInCache(repoId: string, revision: string, env: Environment): Promise<ModelLocation> {
  const { dir: cacheDir, from: cacheDirFrom } = hubCacheDir(env);
  const folderName = repoFolderName(repoId);
  const repoFolder = join(cacheDir, folderName);
  const cacheText = `the Hugging Face cache at ${cacheDir}`;
  const fromText = cacheDirFrom === "default" ? "" : `; the cache folder is set by ${cacheDirFrom}`;
  const refFile = `${folderName}/refs/${revision}`;
  const notFound = (detail: string): never => fail("IO_ERROR", { detail: `model '${repoId}' ${detail}` });

  if ((await kindOf(repoFolder)) !== "dir") {
    const lookedFor = COMMIT_HASH.test(revision) ? `${folderName}/snapshots/${revision}` : refFile;
    const missing = (await kindOf(cacheDir)) === "dir" ? "" : "; that folder does not exist";
    return notFound(`is not a folder and not in ${cacheText} (looked for ${lookedFor}${missing}${fromText})`);
  }
  let commit: string;
  if ((await kindOf(join(repoFolder, "refs", revision))) === "file") {
    const ref = join(repoFolder, "refs", revision);
    commit = (await readFile(ref, "utf8").catch((cause: Error) => fail("IO_ERROR", { file: ref, detail: cause.message, cause }))).trim();
    if (!COMMIT_HASH.test(commit)) notFound(`cannot be resolved: in ${cacheText}, ${refFile} holds ${JSON.stringify(commit.slice(0, 80))}, not a commit hash`);
  } else if (COMMIT_HASH.test(revision)) {
    commit = revision;
  } else {
    const refs = await entries(join(repoFolder, "refs"));
    const snapshots = await entries(join(repoFolder, "snapshots"));
    return notFound(
      `is in ${cacheText} but not at revision '${revision}' (looked for ${refFile}; ` +
        `refs: ${refs.join(", ") || "none"}; snapshots: ${snapshots.join(", ") || "none"}${fromText})`,
    );
  }
  const path = join(repoFolder, "snapshots", commit);
  if ((await kindOf(path)) !== "dir") {
    const via = commit === revision ? `revision ${commit}` : `${refFile} names commit ${commit}, which`;
    notFound(`is incomplete in ${cacheText}: ${via} has no snapshot folder (looked for ${folderName}/snapshots/${commit})`);
  }
  return { kind: "hf-cache", path, repoId, revision, commit, cacheDir, cacheDirFrom, repoFolder };
}
