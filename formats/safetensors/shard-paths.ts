/**
 * An index must not make ternpack read arbitrary files (spec §6): a shard name is a plain file
 * name, and after following symlinks it still lies inside the model folder.
 */
import { realpath, stat } from "node:fs/promises";
import { isAbsolute, join, relative, sep } from "node:path";
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

/**
 * The real path of shard `name` in `realFolder` (itself a real path): SHARD_MISSING if it does not
 * exist or is not a regular file, PATH_ESCAPE if a symlink leads outside the folder.
 */
export async function resolveShardPath(realFolder: string, name: string, indexFile: string): Promise<string> {
  checkShardName(name, indexFile);
  let real: string;
  try {
    real = await realpath(join(realFolder, name));
  } catch (cause) {
    return fail("SHARD_MISSING", { file: join(realFolder, name), detail: `shard named by ${indexFile} cannot be opened: ${(cause as Error).message}`, cause });
  }
  const rel = relative(realFolder, real);
  if (rel === "" || rel === ".." || rel.startsWith(`..${sep}`) || isAbsolute(rel)) {
    fail("PATH_ESCAPE", { file: join(realFolder, name), detail: `shard resolves to ${real}, outside ${realFolder}` });
  }
  if (!(await stat(real)).isFile()) fail("SHARD_MISSING", { file: real, detail: "shard is not a regular file" });
  return real;
}
