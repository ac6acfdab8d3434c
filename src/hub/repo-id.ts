/**
 * Hugging Face repo ids and revisions as names inside the hub cache. The checks follow
 * huggingface_hub's `validate_repo_id` (`[\w.-]` parts starting and ending with a word character,
 * at most one `/`, no `--` or `..`, at most 96 characters) so that an id can never name a folder
 * outside the cache.
 */
import { fail } from "../core/errors.js";

const MAX_REPO_ID_LENGTH = 96;
const PART = /^\w(?:[\w.-]*\w)?$/;
/** A full commit hash, which huggingface_hub accepts as a revision without any ref. */
export const COMMIT_HASH = /^[0-9a-f]{40}$/;

/** Why `id` is not a usable repo id, or undefined when it is one. */
export function repoIdProblem(id: string): string | undefined {
  if (id.length === 0) return "it is empty";
  if (id.length > MAX_REPO_ID_LENGTH) return `it has ${id.length} characters, at most ${MAX_REPO_ID_LENGTH} are allowed`;
  const parts = id.split("/");
  if (parts.length > 2) return "a repo id is 'owner/name' (or a bare name), with at most one '/'";
  if (id.includes("..")) return "it contains '..'";
  if (id.includes("--")) return "it contains '--'";
  if (id.endsWith(".git")) return "it ends in '.git'";
  const bad = parts.find((p) => !PART.test(p));
  if (bad !== undefined) return `'${bad}' is not made of letters, digits, '_', '-' and '.' starting and ending with a letter, digit or '_'`;
  return undefined;
}

/** The cache folder name of a model repo: `models--owner--name` (`models--name` for a bare name). */
export function repoFolderName(id: string): string {
  return `models--${id.split("/").join("--")}`;
}

/** USAGE unless `revision` is a relative path below `refs/` without `..`, `\` or NUL (e.g. "main", "refs/pr/1"). */
export function checkRevision(revision: string): void {
  const problem =
    revision.length === 0
      ? "it is empty"
      : revision.startsWith("/")
        ? "it is an absolute path"
        : revision.split("/").some((p) => p === ".." || p === "." || p === "")
          ? "it has an empty, '.' or '..' path segment"
          : /[\\\0]/.test(revision)
            ? "it contains '\\' or NUL"
            : undefined;
  if (problem !== undefined) fail("USAGE", { detail: `revision ${JSON.stringify(revision)} is not usable: ${problem}` });
}
