/**
 * File names in the Hub repo, the way the Hub recognises them: `<Model>-<LABEL>.gguf`, where the
 * Hub's GGUF quant detection (huggingface.js `parseGGUFQuantLabel`) finds TQ1_0, TQ2_0, F16, Q8_0, …
 * in the name; split models keep llama.cpp's shard suffix `-00001-of-0000N`.
 */
import { fail } from "../core/errors.js";
import { shardSuffix } from "../../formats/gguf/index.js";
import type { PublishedModel } from "./published-model.js";
import type { ValidatedFile } from "./validated-file.js";

/** A model name usable in file names: letters, digits, '.', '_' and '-'. */
export function fileSafeName(name: string): string {
  const safe = name.trim().replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^-+|-+$/g, "");
  if (safe === "") fail("USAGE", { detail: `model name ${JSON.stringify(name)} has no letters or digits for file names` });
  return safe;
}

/** The Hub path of every file; two files that would get the same name are a USAGE error. */
export function assignHubNames(models: readonly PublishedModel[], modelName: string): Map<ValidatedFile, string> {
  const model = fileSafeName(modelName);
  const names = new Map<ValidatedFile, string>();
  const owner = new Map<string, string>();
  for (const m of models) {
    for (const f of m.files) {
      const name = `${model}-${m.label}${f.split ? shardSuffix(f.split.index, f.split.count) : ""}${f.kind}`;
      const other = owner.get(name);
      if (other !== undefined) fail("USAGE", { detail: `${other} and ${f.path} would both be published as ${name} (publish them to different repos, or one of them)` });
      owner.set(name, f.path);
      names.set(f, name);
    }
  }
  return names;
}
