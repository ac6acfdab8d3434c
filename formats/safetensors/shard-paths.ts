/**
 * An index must not make ternpack read arbitrary files (spec §6): a shard name is a plain file
 * name, and after following symlinks it still lies inside the model folder.
 */
import { realpath, stat } from "node:fs/promises";
import { basename, dirname, isAbsolute, join, relative, sep } from "node:path";
import { fail } from "../../src/core/errors.js";

const SHARD_NAME_RULES: ReadonlyArray<readonly [RegExp, string]> = [
  [/^\.?$/, "is not a file name"],
  [/[/\\]/, "contains a path separator"],
  [/\.\./, "contains '..'"],
  [/^[A-Za-z]:/, "starts with a drive letter"],
  [/\0/, "contains a NUL character"],
];

/** PATH_ESCAPE unless `name` is a plain file name: no separators, `..`, drive letter or NUL. */
export function checkShardName(name: string, indexFile: string): void {
  for (const [pattern, reason] of SHARD_NAME_RULES) {
    if (pattern.test(name)) fail("PATH_ESCAPE", { file: indexFile, detail: `shard name ${JSON.stringify(name)} ${reason}` });
  }
}

function inside(root: string, real: string): boolean {
  const rel = relative(root, real);
  return !(rel === "" || rel === ".." || rel.startsWith(`..${sep}`) || isAbsolute(rel));
}

/**
 * Folders a shard may resolve into: the model folder and, for a snapshot of the Hugging Face cache
 * (`<cache>/models--owner--name/snapshots/<commit>`, whose files are symlinks to `../../blobs/<hash>`),
 * that repository's `blobs` folder.
 */
export function allowedShardRoots(realFolder: string): string[] {
  const snapshots = dirname(realFolder);
  const repo = dirname(snapshots);
  const isSnapshot = basename(snapshots) === "snapshots" && basename(repo).startsWith("models--");
  return isSnapshot ? [realFolder, join(repo, "blobs")] : [realFolder];
}

/**
 * The real path of shard `name` in `realFolder` (itself a real path): SHARD_MISSING if it does not
 * exist or is not a regular file, PATH_ESCAPE if a symlink leads outside the folder (or, in the
 * Hugging Face cache, outside the repository's blobs).
 */
export async function resolveShardPath(realFolder: string, name: string, indexFile: string): Promise<string> {
  checkShardName(name, indexFile);
  let real: string;
  try {
    real = await realpath(join(realFolder, name));
  } catch (cause) {
    return fail("SHARD_MISSING", { file: join(realFolder, name), detail: `shard named by ${indexFile} cannot be opened: ${(cause as Error).message}`, cause });
  }
  const roots = allowedShardRoots(realFolder);
  if (!roots.some((root) => inside(root, real))) {
    fail("PATH_ESCAPE", { file: join(realFolder, name), detail: `shard resolves to ${real}, outside ${roots.join(" and ")}` });
  }
  if (!(await stat(real)).isFile()) fail("SHARD_MISSING", { file: real, detail: "shard is not a regular file" });
  return real;
}
