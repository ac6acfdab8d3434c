/**
 * Uploads files to a Hub model repo in one commit with @huggingface/hub: the repo is created when
 * missing (GET /api/models/{repo}, then POST /api/repos/create), then `commitIter` runs
 * POST /api/models/{repo}/preupload/main (the Hub says which files go to LFS), sha256 of the LFS
 * files, POST /{repo}.git/info/lfs/objects/batch, the uploads (one PUT, or the Hub's multipart
 * protocol: PUT per part to the URLs it gives, then POST the completion URL), and finally
 * POST /api/models/{repo}/commit/main (NDJSON: header, small files inline, LFS files by oid).
 * Xet is switched off (`useXet: false`), so large files take the classic LFS path, which any
 * Hub endpoint (and the tests' fake Hub) serves. `readHubText` reads a file already in the repo
 * (`downloadFile`: GET /{repo}/resolve/main/{path}, a Range probe for the size, then the bytes). Every failure becomes a TernpackError whose
 * message has the token removed; no library error is attached as `cause` (it may hold it).
 */
import { pathToFileURL } from "node:url";
import { isTernpackError, TernpackError } from "../core/errors.js";
import { redact } from "./credentials.js";

export interface PushFile {
  /** Path in the repo. */
  hubPath: string;
  /** Local file with the bytes to upload. */
  local: string;
}

export interface PushOptions {
  repo: string;
  hubUrl: string;
  token: string;
  files: readonly PushFile[];
  title: string;
  description?: string;
  /** Visibility of a repo that has to be created (default: the owner's default). */
  private?: boolean;
  signal?: AbortSignal;
  onStep?: (step: PushStep) => void;
}

export type PushStep = "reading card" | "checking repo" | "creating repo" | "preuploading" | "uploadingLargeFiles" | "committing";

export interface PushResult {
  created: boolean;
  commit: { oid: string; url: string };
}

/** Each step in words, for progress lines and messages. */
export const PUSH_STEP_TEXT: Record<PushStep, string> = {
  "reading card": "reading the repo's model card",
  "checking repo": "checking whether the repo exists",
  "creating repo": "creating the repo",
  preuploading: "asking the Hub how to upload the files",
  uploadingLargeFiles: "uploading the large files",
  committing: "committing",
};

function statusOf(e: unknown): number | undefined {
  const status = (e as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === "number" ? status : undefined;
}

/** The message of `e` and its causes (fetch's "fetch failed" says why only in `cause`). */
function messageChain(e: unknown): string {
  const parts: string[] = [];
  for (let c: unknown = e, depth = 0; c !== undefined && c !== null && depth < 4; c = (c as { cause?: unknown }).cause, depth++) {
    const m = c instanceof Error ? c.message : String(c);
    const code = (c as { code?: unknown }).code;
    parts.push(typeof code === "string" && !m.includes(code) ? `${m} (${code})` : m);
  }
  return parts.join(": ");
}

/** A TernpackError for a failure while `step` ran, with the token redacted from every text. */
export function hubFailure(e: unknown, step: PushStep, token: string): TernpackError {
  if (isTernpackError(e)) return e;
  if ((e as Error | null)?.name === "AbortError") return new TernpackError("INTERRUPTED", { detail: `while ${PUSH_STEP_TEXT[step]}` });
  const status = statusOf(e);
  const auth = status === 401 || status === 403;
  const what = status === undefined ? "the request failed" : `HTTP ${status}`;
  const hint = auth ? " (is the token valid, with write access to this repo?)" : "";
  // Without an answer to the commit request, the Hub may have recorded it all the same.
  const outcome = step === "committing" && status === undefined ? "the commit may or may not have been recorded: look at the repo" : "nothing was committed";
  const detail = redact(`${PUSH_STEP_TEXT[step]}: ${what}${hint}: ${messageChain(e)}; ${outcome}`, token);
  return new TernpackError(auth ? "HUB_AUTH" : "HUB_REQUEST", { detail });
}

export async function pushToHub(o: PushOptions): Promise<PushResult> {
  const hub = await import("@huggingface/hub");
  const repo = { type: "model" as const, name: o.repo };
  const common = { repo, hubUrl: o.hubUrl, accessToken: o.token };
  let step: PushStep = "checking repo";
  const enter = (s: PushStep) => {
    step = s;
    o.onStep?.(s);
  };
  try {
    enter("checking repo");
    let created = false;
    if (!(await hub.repoExists(common))) {
      enter("creating repo");
      created = await hub.createRepo({ ...common, ...(o.private !== undefined ? { visibility: o.private ? "private" : "public" } : {}) }).then(
        () => true,
        (e: unknown) => {
          if (statusOf(e) !== 409) throw e;
          return false; // created meanwhile by someone else: fine, but not by us
        },
      );
    }
    const commits = hub.commitIter({
      ...common,
      title: o.title,
      ...(o.description !== undefined ? { description: o.description } : {}),
      operations: o.files.map((f) => ({ operation: "addOrUpdate" as const, path: f.hubPath, content: pathToFileURL(f.local) })),
      useXet: false,
      ...(o.signal ? { abortSignal: o.signal } : {}),
    });
    for (;;) {
      const next = await commits.next();
      if (next.done) {
        if (!next.value) throw new Error("the Hub answered the commit without a commit id");
        return { created, commit: { oid: next.value.commit.oid, url: next.value.commit.url } };
      }
      if (next.value.event === "phase") enter(next.value.phase);
    }
  } catch (e) {
    throw hubFailure(e, step, o.token);
  }
}

export interface HubFileOptions {
  repo: string;
  hubUrl: string;
  token: string;
  path: string;
}

/**
 * The text of a file on the repo's main branch (GET /{repo}/resolve/main/{path}), or undefined
 * when the repo or the file does not exist. Used to merge into the card already on the Hub.
 */
export async function readHubText(o: HubFileOptions): Promise<string | undefined> {
  const hub = await import("@huggingface/hub");
  try {
    const blob = await hub.downloadFile({ repo: { type: "model", name: o.repo }, path: o.path, hubUrl: o.hubUrl, accessToken: o.token, xet: false });
    return blob === null ? undefined : await blob.text();
  } catch (e) {
    if (statusOf(e) === 404) return undefined; // no such repo (yet)
    throw hubFailure(e, "reading card", o.token);
  }
}
