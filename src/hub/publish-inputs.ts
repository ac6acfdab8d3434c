/** The files a publish takes: an output folder (every file of a known kind in it) or files, and where the card goes. */
import { readdir, stat } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fail } from "../core/errors.js";
import { FILE_KINDS, fileKind } from "./validated-file.js";

export interface PublishInputs {
  files: string[];
  /** Where README.md and SHA256SUMS are written: the folder given, else the first file's folder. */
  outDir: string;
}

async function kindOfPath(path: string): Promise<"dir" | "file"> {
  const s = await stat(path).catch((cause: Error) => fail("IO_ERROR", { file: path, detail: cause.message }));
  if (s.isDirectory()) return "dir";
  if (s.isFile()) return "file";
  return fail("USAGE", { file: path, detail: "not a file or folder" });
}

export async function expandInputs(inputs: readonly string[], outDir?: string): Promise<PublishInputs> {
  if (inputs.length === 0) fail("USAGE", { detail: "nothing to publish: give an output folder or files" });
  const kinds = Object.keys(FILE_KINDS).join(", ");
  const files: string[] = [];
  let firstDir: string | undefined;
  for (const input of inputs.map((p) => resolve(p))) {
    if ((await kindOfPath(input)) === "file") {
      if (fileKind(input) === undefined) fail("USAGE", { file: input, detail: `publish takes ${kinds} files` });
      files.push(input);
      continue;
    }
    firstDir ??= input;
    const found = (await readdir(input)).filter((n) => !n.startsWith(".") && fileKind(n) !== undefined).sort();
    if (found.length === 0) fail("USAGE", { file: input, detail: `the folder holds no ${kinds} files` });
    files.push(...found.map((n) => join(input, n)));
  }
  const unique = [...new Set(files)];
  return { files: unique, outDir: resolve(outDir ?? firstDir ?? dirname(unique[0]!)) };
}
