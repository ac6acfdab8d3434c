/**
 * A local stand-in for the Hugging Face Hub's upload API, over real HTTP on 127.0.0.1, serving
 * the calls @huggingface/hub makes with `useXet: false` (src/hub/push.ts lists them): repo info,
 * repo creation, preupload, the LFS batch API with basic and multipart transfers, the upload URLs
 * it hands out, the NDJSON commit, and file downloads (`resolve/main`, for the card already there). It records everything and refuses a commit whose LFS files
 * were not uploaded with exactly the declared bytes. Faults (a 500 or a dropped connection) can be
 * injected on the n-th request of a route. A refused token is echoed in the 401 body on purpose:
 * the client must keep it out of its messages anyway.
 */
import { createHash, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type Route = "resolve" | "repo-info" | "create" | "preupload" | "batch" | "upload" | "part" | "complete" | "commit";

export interface Fault {
  route: Route;
  /** Which request of that route fails, counting from 1 (default 1). */
  nth?: number;
  /** "500": answer HTTP 500 after reading the body; "drop": destroy the socket halfway through the body. */
  kind: "500" | "drop";
}

export interface FakeHubOptions {
  token: string;
  existingRepos?: string[];
  /** LFS objects larger than this are uploaded with the multipart protocol (default: never). */
  multipartAbove?: number;
  chunkSize?: number;
  fault?: Fault;
  /** Files already on the main branch: repo → path → text (the repo is created too). */
  existingFiles?: Record<string, Record<string, string>>;
}

export interface CommittedFile {
  path: string;
  size: number;
  /** LFS files: the oid the commit named. */
  oid?: string;
  /** Regular files: their content. */
  content?: Uint8Array;
}

export interface FakeCommit {
  repo: string;
  summary: string;
  files: CommittedFile[];
}

export interface FakeHub {
  url: string;
  repos: Set<string>;
  /** The visibility each created repo was asked for (undefined: the owner's default). */
  visibility: Map<string, string | undefined>;
  /** The main branch of each repo: path → bytes. */
  trees: Map<string, Map<string, Uint8Array>>;
  requests: { method: string; route: Route | "unknown"; path: string }[];
  /** LFS storage: oid → bytes. */
  objects: Map<string, Uint8Array>;
  commits: FakeCommit[];
  close(): Promise<void>;
}

const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

function readBody(req: IncomingMessage, dropHalfway: boolean): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const declared = Number(req.headers["content-length"] ?? NaN);
    req.on("data", (c: Buffer) => {
      chunks.push(c);
      received += c.length;
      if (dropHalfway && (Number.isNaN(declared) || received >= declared / 2)) {
        req.socket.destroy();
        reject(new Error("dropped"));
      }
    });
    req.on("end", () => resolve(new Uint8Array(Buffer.concat(chunks))));
    req.on("error", reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "Content-Type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

const ROUTES: [Route, string, RegExp][] = [
  ["resolve", "GET", /^\/([\w.-]+\/[\w.-]+)\/resolve\/main\/(.+)$/],
  ["repo-info", "GET", /^\/api\/models\/([\w.-]+\/[\w.-]+)$/],
  ["create", "POST", /^\/api\/repos\/create$/],
  ["preupload", "POST", /^\/api\/models\/([\w.-]+\/[\w.-]+)\/preupload\/main$/],
  ["batch", "POST", /^\/([\w.-]+\/[\w.-]+)\.git\/info\/lfs\/objects\/batch$/],
  ["upload", "PUT", /^\/lfs\/upload\/([0-9a-f]{64})$/],
  ["part", "PUT", /^\/lfs\/part\/([0-9a-f]{64})\/(\d+)$/],
  ["complete", "POST", /^\/lfs\/complete\/([0-9a-f]{64})$/],
  ["commit", "POST", /^\/api\/models\/([\w.-]+\/[\w.-]+)\/commit\/main$/],
];
/** Routes behind the token; the upload URLs stand for presigned storage URLs. */
const AUTHENTICATED = new Set<Route>(["resolve", "repo-info", "create", "preupload", "batch", "commit"]);

export async function startFakeHub(o: FakeHubOptions): Promise<FakeHub> {
  const repos = new Set([...(o.existingRepos ?? []), ...Object.keys(o.existingFiles ?? {})]);
  const trees = new Map<string, Map<string, Uint8Array>>();
  const visibility = new Map<string, string | undefined>();
  for (const [repo, files] of Object.entries(o.existingFiles ?? {})) {
    trees.set(repo, new Map(Object.entries(files).map(([path, text]) => [path, new TextEncoder().encode(text)])));
  }
  const requests: FakeHub["requests"] = [];
  const objects = new Map<string, Uint8Array>();
  const parts = new Map<string, Map<number, Uint8Array>>();
  const commits: FakeCommit[] = [];
  const counts = new Map<Route, number>();
  let base = "";

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    const match = ROUTES.map(([route, method, re]) => ({ route, m: req.method === method ? re.exec(path) : null })).find((r) => r.m);
    requests.push({ method: req.method ?? "", route: match?.route ?? "unknown", path });
    if (!match) return send(res, 404, { error: `no route for ${req.method} ${path}` });
    const { route, m } = match;
    const nth = (counts.get(route) ?? 0) + 1;
    counts.set(route, nth);
    const fault = o.fault?.route === route && (o.fault.nth ?? 1) === nth ? o.fault.kind : undefined;
    const body = await readBody(req, fault === "drop");
    if (fault === "500") return send(res, 500, { error: "Internal Error - We're working hard to fix this as soon as possible!" });
    if (AUTHENTICATED.has(route) && req.headers.authorization !== `Bearer ${o.token}`) {
      return send(res, 401, { error: `Invalid credentials in Authorization header (got ${req.headers.authorization ?? "none"})` });
    }
    const json = () => JSON.parse(new TextDecoder().decode(body)) as Record<string, unknown>;
    switch (route) {
      case "resolve": {
        // As the Hub answers: a Range probe gets 206 with the size in Content-Range, a plain GET the bytes.
        if (!repos.has(m![1]!)) return send(res, 404, { error: "Repository not found" }, { "X-Error-Code": "RepoNotFound" });
        const file = trees.get(m![1]!)?.get(decodeURIComponent(m![2]!));
        if (!file) return send(res, 404, { error: "Entry not found" }, { "X-Error-Code": "EntryNotFound" });
        const etag = `"${sha256(file).slice(0, 32)}"`;
        if (req.headers.range === "bytes=0-0") {
          res.writeHead(206, { "Content-Range": `bytes 0-0/${file.length}`, ETag: etag, "Content-Type": "text/plain" });
          return void res.end(Buffer.from(file.subarray(0, 1)));
        }
        res.writeHead(200, { ETag: etag, "Content-Type": "text/plain" });
        return void res.end(Buffer.from(file));
      }
      case "repo-info":
        return repos.has(m![1]!) ? send(res, 200, { id: m![1], private: false }) : send(res, 404, { error: "Repository not found" });
      case "create": {
        const request = json() as { name: string; organization: string; visibility?: string };
        const id = `${request.organization}/${request.name}`;
        if (repos.has(id)) return send(res, 409, { error: "You already created this model repo", url: `${base}/${id}` });
        repos.add(id);
        visibility.set(id, request.visibility);
        return send(res, 200, { url: `${base}/${id}`, id });
      }
      case "preupload": {
        if (!repos.has(m![1]!)) return send(res, 404, { error: "Repository not found" });
        const files = (json().files as { path: string; size: number; sample: string }[]).map((f) => ({
          path: f.path,
          uploadMode: f.size >= 10 * 2 ** 20 || Buffer.from(f.sample, "base64").includes(0) ? "lfs" : "regular",
        }));
        return send(res, 200, { files });
      }
      case "batch": {
        const request = json() as { transfers: string[]; objects: { oid: string; size: number }[] };
        if (request.transfers.includes("xet")) return send(res, 400, { error: "this fake Hub serves no Xet" });
        const multipart = (size: number) => o.multipartAbove !== undefined && size > o.multipartAbove;
        const answer = request.objects.map(({ oid, size }) => {
          if (objects.has(oid)) return { oid, size };
          if (!multipart(size)) return { oid, size, actions: { upload: { href: `${base}/lfs/upload/${oid}` } } };
          const chunk = o.chunkSize ?? 2 ** 20;
          const header: Record<string, string> = { chunk_size: String(chunk) };
          for (let i = 1; i <= Math.ceil(size / chunk); i++) header[String(i).padStart(5, "0")] = `${base}/lfs/part/${oid}/${i}`;
          return { oid, size, actions: { upload: { href: `${base}/lfs/complete/${oid}`, header } } };
        });
        return send(res, 200, { transfer: "basic", objects: answer }, { "Content-Type": "application/vnd.git-lfs+json" });
      }
      case "upload":
        if (sha256(body) !== m![1]) return send(res, 400, { error: "sha256 of the body is not the oid" });
        objects.set(m![1]!, body);
        return send(res, 200, {});
      case "part": {
        const stored = parts.get(m![1]!) ?? new Map<number, Uint8Array>();
        stored.set(Number(m![2]), body);
        parts.set(m![1]!, stored);
        return send(res, 200, {}, { ETag: `"${sha256(body).slice(0, 32)}"` });
      }
      case "complete": {
        const request = json() as { oid: string; parts: { partNumber: number; etag: string }[] };
        const stored = parts.get(m![1]!) ?? new Map<number, Uint8Array>();
        const chunks = request.parts.map((p) => {
          const part = stored.get(p.partNumber);
          if (!part || p.etag !== `"${sha256(part).slice(0, 32)}"`) throw new Error(`part ${p.partNumber} missing or etag wrong`);
          return part;
        });
        const whole = new Uint8Array(Buffer.concat(chunks));
        if (sha256(whole) !== m![1]) return send(res, 400, { error: "the assembled parts do not hash to the oid" });
        objects.set(m![1]!, whole);
        return send(res, 200, {});
      }
      case "commit": {
        const lines = new TextDecoder().decode(body).split("\n").map((l) => JSON.parse(l) as { key: string; value: Record<string, unknown> });
        const files: CommittedFile[] = [];
        for (const { key, value } of lines.slice(1)) {
          if (key === "lfsFile") {
            const stored = objects.get(value.oid as string);
            if (!stored || stored.length !== value.size) return send(res, 422, { error: `LFS object of ${value.path as string} was not uploaded` });
            files.push({ path: value.path as string, size: value.size as number, oid: value.oid as string });
          } else if (key === "file") {
            const content = new Uint8Array(Buffer.from(value.content as string, "base64"));
            files.push({ path: value.path as string, size: content.length, content });
          } else return send(res, 400, { error: `unexpected commit operation ${key}` });
        }
        commits.push({ repo: m![1]!, summary: (lines[0]!.value.summary as string) ?? "", files });
        const tree = trees.get(m![1]!) ?? new Map<string, Uint8Array>();
        for (const f of files) tree.set(f.path, f.content ?? objects.get(f.oid!)!);
        trees.set(m![1]!, tree);
        const oid = randomBytes(20).toString("hex");
        return send(res, 200, { commitOid: oid, commitUrl: `${base}/${m![1]}/commit/${oid}` });
      }
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e: Error) => {
      if (!res.headersSent && !req.socket.destroyed) send(res, 400, { error: e.message });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    repos,
    visibility,
    trees,
    requests,
    objects,
    commits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
