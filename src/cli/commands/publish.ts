import { prepublish, type PrepublishResult } from "../../api/prepublish.js";
import { TernpackError } from "../../core/errors.js";
import { PUSH_STEP_TEXT } from "../../hub/push.js";
import type { Command } from "../args.js";
import { requireString } from "../args.js";
import { parseTl } from "../parse-values.js";
import { formatBytes, formatTable } from "../table.js";

const str = (v: string | boolean | undefined): string | undefined => (typeof v === "string" ? v : undefined);

function human(r: PrepublishResult): string {
  const lines = [
    `validated ${r.files.length} file(s):`,
    formatTable(
      ["file", "published as", "layout", "bpw (ternary / all)", "size", "sha256"],
      r.files.map((f) => [f.local, f.hubPath, f.label, `${f.ternaryBitsPerWeight?.toFixed(4) ?? "-"} / ${f.bitsPerWeight.toFixed(4)}`, formatBytes(f.size), f.sha256]),
    ),
    ...r.files.flatMap((f) => [`  ${f.hubPath}:`, ...f.checks.map((c) => `    ${c.name}: ${c.detail}`)]),
    "",
    `wrote the model card ${r.card.path} and the checksums ${r.checksums.path}`,
    ...r.card.notes.map((n) => `  card: kept ${n.key} = ${JSON.stringify(n.kept)} from the existing card (ternpack would write ${JSON.stringify(n.ours)})`),
    "",
    r.dryRun
      ? `planned repo operations (dry run, nothing sent; add --push to upload; a card already in the repo is then merged into) on ${r.hubUrl}:`
      : `repo operations on ${r.hubUrl} (card merged into the ${r.card.mergedInto === "hub" ? "repo's" : r.card.mergedInto === "local" ? "local" : "new"} card):`,
  ];
  for (const op of r.operations) {
    if (op.op === "create-repo-if-missing") lines.push(`  create model repo ${op.repo} if it does not exist`);
    else if (op.op === "upload") lines.push(`  upload ${op.hubPath} (${op.storage === "lfs" ? "large file, LFS" : "regular file"}, ${op.size} bytes) from ${op.local}`);
    else lines.push(`  commit ${JSON.stringify(op.title)} with ${op.files} files to main`);
  }
  if (r.commit) lines.push("", `${r.commit.createdRepo ? "created the repo and " : ""}committed ${r.commit.oid}: ${r.commit.url}`);
  return lines.join("\n");
}

export const publishCommand: Command = {
  summary: "validate converted files, write their model card and SHA256SUMS, and plan (or --push) a Hugging Face upload",
  args: "<output-dir-or-files...>",
  options: {
    repo: { type: "string", value: "owner/name", description: "the Hub model repo to publish to (required)" },
    push: { type: "boolean", description: "upload (default: dry run, print the planned operations only)" },
    "hub-url": { type: "string", value: "url", description: "Hub endpoint (default HF_ENDPOINT, else https://huggingface.co)" },
    token: { type: "string", value: "hf_…", description: "access token for --push (default HF_TOKEN, else the huggingface-cli login token file; both keep it out of the process list)" },
    source: { type: "string", value: "model", description: "the model converted from (folder or cached repo id): license, base model, revision, re-verification" },
    revision: { type: "string", value: "rev", description: "revision of a cached source repo id (default main)" },
    "base-model": { type: "string", value: "owner/name", description: "base_model of the card (default: the source's repo id)" },
    license: { type: "string", value: "id", description: "license of the card (default: carried from the source)" },
    "model-name": { type: "string", value: "name", description: "model name in the Hub file names (default: the base model's name)" },
    "out-dir": { type: "string", value: "dir", description: "where README.md and SHA256SUMS are written (default: the input folder)" },
    private: { type: "boolean", description: "create the repo private when it does not exist" },
    tl: { type: "string", value: "BM,BK,bm", description: "TL1/TL2 tiling for files that do not record it" },
    json: { type: "boolean", description: "print the result as JSON" },
  },
  async run(ctx) {
    const { values } = ctx;
    if (ctx.positionals.length === 0) throw new TernpackError("USAGE", { detail: "expected an output folder or files to publish" });
    const tl = parseTl(str(values.tl));
    const result = await prepublish({
      inputs: ctx.positionals,
      repo: requireString(values, "repo"),
      push: values.push === true,
      ...(values.private === true ? { private: true } : {}),
      hubUrl: str(values["hub-url"]),
      token: str(values.token),
      source: str(values.source),
      revision: str(values.revision),
      baseModel: str(values["base-model"]),
      license: str(values.license),
      modelName: str(values["model-name"]),
      outDir: str(values["out-dir"]),
      ...(tl ? { verify: { tl } } : {}),
      onStep: (step) => {
        if (!values.json) ctx.err(`push: ${PUSH_STEP_TEXT[step]}…`);
      },
    });
    ctx.out(values.json ? JSON.stringify(result, null, 2) : human(result));
  },
};
