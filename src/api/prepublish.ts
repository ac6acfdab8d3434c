/**
 * `prepublish(options)`: turns a conversion's output into a validated Hugging Face upload.
 *   1. every file is re-read and validated by its kind (src/hub/validated-file.ts FILE_KINDS),
 *      ternary tensors re-verified with the reference kernels;
 *   2. README.md (model card, merged into the repo's card when pushing to a repo that has one,
 *      else into a README.md already in the output folder) and
 *   3. SHA256SUMS are written next to the files, with the Hub names the files get;
 *   4. the repo operations are planned, and with `push` carried out (src/hub/push.ts).
 * Nothing is sent without `push`; the token is only read then, and never appears in the result,
 * messages or errors.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { fail } from "../core/errors.js";
import { writeFileAtomically } from "../core/atomic-file.js";
import { VERSION } from "../version.js";
import type { Environment } from "../hub/cache-dir.js";
import { CHECKSUMS_FILE, checksumsText, sha256File } from "../hub/checksums.js";
import { resolveHubUrl, resolveToken } from "../hub/credentials.js";
import type { MergeNote } from "../hub/front-matter.js";
import { assignHubNames } from "../hub/hub-names.js";
import { composeCard, type CardInput } from "../hub/model-card.js";
import { groupModels } from "../hub/published-model.js";
import { expandInputs } from "../hub/publish-inputs.js";
import { pushToHub, readHubText, type PushStep } from "../hub/push.js";
import { repoIdProblem } from "../hub/repo-id.js";
import { describeSource, type SourceInfo } from "../hub/source-model.js";
import { validateFile, type FileCheck, type ValidatedFile } from "../hub/validated-file.js";
import type { VerifyGgufOptions } from "./verify-gguf.js";

export const CARD_FILE = "README.md";

export interface PrepublishOptions {
  /** A conversion's output folder (every .gguf in it) and/or files. */
  inputs: string | readonly string[];
  /** The Hub model repo, `owner/name`. */
  repo: string;
  /** The model the files were converted from (folder or repo id in the local HF cache): license, base model, revision, and re-verification against its weights. */
  source?: string;
  /** Revision of `source` when it is a repo id (default "main"). */
  revision?: string;
  /** Hub repo id for `base_model` (default: the source's repo id, else what the GGUF records). */
  baseModel?: string;
  /** `license` for the card (default: the source card's, else the GGUF's general.license). */
  license?: string;
  /** Model name in the Hub file names (default: the base model's name, else the repo's name without -GGUF). */
  modelName?: string;
  /** Where README.md and SHA256SUMS are written (default: the input folder, or the first file's folder). */
  outDir?: string;
  /** Upload (default false: plan only). */
  push?: boolean;
  /** Hub endpoint (default HF_ENDPOINT, else https://huggingface.co). */
  hubUrl?: string;
  /** Access token (default HF_TOKEN); needed only with `push`. */
  token?: string;
  /** Visibility of a repo that has to be created. */
  private?: boolean;
  /** Environment for HF_ENDPOINT, HF_TOKEN and the HF cache (default `process.env`). */
  env?: Environment;
  /** Probe settings for the re-verification (seeds, tokens, TL tiling). */
  verify?: Pick<VerifyGgufOptions, "seeds" | "tokens" | "tl" | "flavor">;
  signal?: AbortSignal;
  /** Called as the push goes through its steps. */
  onStep?: (step: PushStep) => void;
}

export interface PublishedFile {
  local: string;
  hubPath: string;
  size: number;
  sha256: string;
  label: string;
  layouts: string[];
  bitsPerWeight: number;
  ternaryBitsPerWeight: number | undefined;
  checks: FileCheck[];
}

export type PlannedOperation =
  | { op: "create-repo-if-missing"; repo: string }
  | { op: "upload"; hubPath: string; local: string; size: number; storage: "lfs" | "regular" }
  | { op: "commit"; title: string; files: number };

export interface PrepublishResult {
  repo: string;
  hubUrl: string;
  dryRun: boolean;
  files: PublishedFile[];
  /** mergedInto: the card the new one was merged into (the repo's, when pushing to a repo that has one). */
  card: { path: string; baseModel?: string; mergedInto: "hub" | "local" | "none"; notes: MergeNote[] };
  checksums: { path: string };
  operations: PlannedOperation[];
  /** After a push: the commit, and whether the repo had to be created. */
  commit?: { oid: string; url: string; createdRepo: boolean };
}

function checkRepo(repo: string, what: string): void {
  const problem = repoIdProblem(repo) ?? (repo.includes("/") ? undefined : "it has no owner ('owner/name')");
  if (problem !== undefined) fail("USAGE", { detail: `${what} ${JSON.stringify(repo)} is not a Hub repo id: ${problem}` });
}

function publishedFile(f: ValidatedFile, label: string, names: { hubPath: string; sha256: string }): PublishedFile {
  const { path, size, layouts, bitsPerWeight, ternaryBitsPerWeight, checks } = f;
  return { local: path, ...names, size, label, layouts, bitsPerWeight, ternaryBitsPerWeight, checks };
}

function licenseEntries(o: PrepublishOptions, source: SourceInfo | undefined, files: readonly ValidatedFile[]) {
  if (o.license !== undefined) return [{ key: "license", value: o.license }];
  if (source && source.license.length > 0) return source.license;
  const recorded = files.find((f) => f.facts?.license !== undefined)?.facts?.license;
  return recorded === undefined ? [] : [{ key: "license", value: recorded }];
}

/**
 * Writes README.md into `outDir`, merged into the card already in the repo when pushing to one
 * that has a card (so no edit made on the Hub is lost), else into the local README.md if any.
 */
async function writeCard(
  input: CardInput,
  outDir: string,
  hub: { repo: string; hubUrl: string; token: string; onStep: ((step: PushStep) => void) | undefined } | undefined,
): Promise<{ path: string; bytes: number; mergedInto: "hub" | "local" | "none"; notes: MergeNote[] }> {
  const path = join(outDir, CARD_FILE);
  hub?.onStep?.("reading card");
  const hubCard = hub ? await readHubText({ ...hub, path: CARD_FILE }) : undefined;
  const localCard = hubCard === undefined ? await readFile(path, "utf8").catch(() => undefined) : undefined;
  const { text, notes } = composeCard(input, hubCard ?? localCard);
  const bytes = new TextEncoder().encode(text);
  await writeFileAtomically(path, (sink) => sink.write(bytes));
  return { path, bytes: bytes.length, mergedInto: hubCard !== undefined ? "hub" : localCard !== undefined ? "local" : "none", notes };
}

export async function prepublish(o: PrepublishOptions): Promise<PrepublishResult> {
  const env = o.env ?? process.env;
  checkRepo(o.repo, "repo");
  if (o.baseModel !== undefined) checkRepo(o.baseModel, "base model");
  const hubUrl = resolveHubUrl(o.hubUrl, env);
  const token = o.push ? resolveToken(o.token, env) : undefined;
  const { files: paths, outDir } = await expandInputs(typeof o.inputs === "string" ? [o.inputs] : o.inputs, o.outDir);
  const source = o.source === undefined ? undefined : await describeSource(o.source, { env, ...(o.revision ? { revision: o.revision } : {}) });

  const verify: VerifyGgufOptions = { ...o.verify, env, ...(source ? { source: source.path } : {}) };
  const validated: ValidatedFile[] = [];
  for (const path of paths) validated.push(await validateFile(path, { verify }));
  const baseModel = o.baseModel ?? source?.repoId ?? validated.find((f) => f.facts?.baseModel)?.facts?.baseModel;
  const modelName = o.modelName ?? (baseModel ?? o.repo.replace(/-gguf$/i, "")).split("/").at(-1)!;
  const models = groupModels(validated);
  const names = assignHubNames(models, modelName);
  const shas = await Promise.all(paths.map(sha256File));
  const byFile = new Map(validated.map((f, i) => [f, { hubPath: names.get(f)!, sha256: shas[i]! }]));

  const cardInput = { repo: o.repo, modelName, models, published: byFile, license: licenseEntries(o, source, validated), ...(source ? { source } : {}), ...(baseModel ? { baseModel } : {}) };
  const card = await writeCard(cardInput, outDir, o.push ? { repo: o.repo, hubUrl, token: token!, onStep: o.onStep } : undefined);
  const checksumsPath = join(outDir, CHECKSUMS_FILE);
  const sumsBytes = new TextEncoder().encode(checksumsText(validated.map((f) => ({ name: byFile.get(f)!.hubPath, sha256: byFile.get(f)!.sha256 }))));
  await writeFileAtomically(checksumsPath, (sink) => sink.write(sumsBytes));

  const files = models.flatMap((m) => m.files.map((f) => publishedFile(f, m.label, byFile.get(f)!)));
  const uploads = [
    ...files.map((f) => ({ hubPath: f.hubPath, local: f.local, size: f.size, storage: "lfs" as const })),
    { hubPath: CARD_FILE, local: card.path, size: card.bytes, storage: "regular" as const },
    { hubPath: CHECKSUMS_FILE, local: checksumsPath, size: sumsBytes.length, storage: "regular" as const },
  ];
  const title = `Upload ${modelName} ${models.map((m) => m.label).join(", ")} (ternpack ${VERSION})`;
  const operations: PlannedOperation[] = [
    { op: "create-repo-if-missing", repo: o.repo },
    ...uploads.map((u) => ({ op: "upload" as const, ...u })),
    { op: "commit", title, files: uploads.length },
  ];
  const result: PrepublishResult = {
    repo: o.repo,
    hubUrl,
    dryRun: !o.push,
    files,
    card: { path: card.path, ...(baseModel ? { baseModel } : {}), mergedInto: card.mergedInto, notes: card.notes },
    checksums: { path: checksumsPath },
    operations,
  };
  if (!o.push) return result;
  const pushed = await pushToHub({
    repo: o.repo,
    hubUrl,
    token: token!,
    files: uploads,
    title,
    description: `Validated and described by ternpack ${VERSION}: ${files.length} model file(s), ${CARD_FILE}, ${CHECKSUMS_FILE}.`,
    ...(o.private !== undefined ? { private: o.private } : {}),
    ...(o.signal ? { signal: o.signal } : {}),
    ...(o.onStep ? { onStep: o.onStep } : {}),
  });
  return { ...result, commit: { ...pushed.commit, createdRepo: pushed.created } };
}
