/**
 * `verifyContainer`: re-reads a ternpack container and checks every byte it can: the manifest
 * checksum and schema (on open: failures throw), every side file's and tensor blob's SHA-256, the
 * zero padding between blobs, then every ternary tensor through the independent reference kernels
 * exactly as `verifyGguf` checks a GGUF tensor (decode, GEMV against the dense reference on seeded
 * probes, scales, reserved bytes; with `source`, codes and σ against the converter's rule), and
 * every CB158 tensor through the CB158 reference kernel (every field validated, values finite,
 * row-streamed GEMV equal to the product over the dequantized matrix). Per-blob problems are
 * reported, not thrown; tensors are read one at a time.
 */
import { fail, isTernpackError, type ErrorCode } from "../core/errors.js";
import { gaussianLike } from "../core/prng.js";
import { withFileSource } from "../core/io.js";
import { openContainer, type ContainerFile, type ContainerTensorEntry } from "../../formats/container/index.js";
import type { GgufTensorInfo } from "../../formats/gguf/index.js";
import { getLayout } from "../../formats/layouts/index.js";
import { cb158Kernel, hasKernel } from "../../kernels/index.js";
import type { Environment } from "../hub/cache-dir.js";
import type { VerifyOptions } from "../verify/index.js";
import { openSourceModel, type SourceModel } from "./verify-gguf-source.js";
import { verifyGgufTensor, type GgufTensorResult } from "./verify-gguf-tensor.js";

export interface VerifyContainerOptions {
  /** The model the container was converted from (folder, safetensors file or cached repo id): ternary codes and σ are compared with it. */
  source?: string;
  revision?: string;
  env?: Environment;
  /** GEMV probe seeds and tokens per seed (the verifier's defaults: [1], 3). */
  seeds?: readonly number[];
  tokens?: number;
}

export interface BlobFailure {
  /** "checksum": stored bytes differ from their SHA-256; "kernel": the reference kernel rejected the payload; "padding": a byte between blobs is not zero. */
  check: "checksum" | "kernel" | "padding";
  code: ErrorCode;
  message: string;
  /** Absolute file offset (the blob's start for checksums, the offending byte for kernel checks where known). */
  fileOffset?: number;
}

export interface ContainerTensorResult {
  name: string;
  layout: string;
  shape: number[];
  compression: string;
  checksum: boolean;
  /** What the reference kernel checked: "ternary" (verifyGguf's checks), "cb158", or "none" for float tensors. */
  kernel: "ternary" | "cb158" | "none";
  /** The ternary checks, as verifyGguf reports them. */
  ternary?: GgufTensorResult;
  ok: boolean;
  failure?: BlobFailure;
}

export interface VerifyContainerReport {
  file: string;
  source?: string;
  /** Side files with their checksum outcome. */
  files: { name: string; role: string; ok: boolean; failure?: BlobFailure }[];
  tensors: ContainerTensorResult[];
  /** Padding between blobs is all zero. */
  padding: { ok: boolean; failure?: BlobFailure };
  /** Tensors verified by a reference kernel. */
  verified: number;
  ok: boolean;
  elapsedMs: number;
}

function blobFailure(e: unknown, check: BlobFailure["check"]): BlobFailure {
  if (!isTernpackError(e)) throw e;
  return { check, code: e.code, message: e.message, ...(e.offset !== undefined ? { fileOffset: e.offset } : {}) };
}

/**
 * A kernel's verdict on tensor `t`, `payloadOffset` bytes into its payload: an absolute file offset
 * for a raw blob; for a deflated blob the position in the inflated payload, said in the message.
 */
function kernelFailure(t: ContainerTensorEntry, code: ErrorCode, message: string, payloadOffset: number | undefined): BlobFailure {
  if (payloadOffset === undefined) return { check: "kernel", code, message };
  if (t.compression === "none") return { check: "kernel", code, message, fileOffset: t.offset + payloadOffset };
  return { check: "kernel", code, message: `${message} (byte ${payloadOffset} of the inflated payload of the ${t.compression} blob at file offset ${t.offset})` };
}

/** The container tensor as the GGUF verifier sees it (dims ne0 first; offsets valid only for raw blobs). */
function ggufInfo(t: ContainerTensorEntry): GgufTensorInfo {
  const layout = getLayout(t.layout);
  return { name: t.name, type: layout.ggmlType ?? -1, typeName: layout.name.toUpperCase(), dims: [...t.shape].reverse(), offset: 0, absoluteOffset: t.compression === "none" ? t.offset : 0, nbytes: t.length };
}

/** CB158: decode every field, values finite, GEMV on a seeded probe equal to the product over Ŵ. */
function checkCb158(t: ContainerTensorEntry, bytes: Uint8Array): void {
  const [M, K] = t.shape as [number, number];
  const w = cb158Kernel.dequantize(bytes, [M, K]);
  const bad = w.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) fail("VERIFY_FAILED", { tensor: t.name, detail: `CB158 value ${bad} (row ${Math.floor(bad / K)}, column ${bad % K}) is ${w[bad]}` });
  const x = gaussianLike(K, 1, 1);
  const y = cb158Kernel.gemv(bytes, [M, K], undefined, x);
  for (let i = 0; i < M; i++) {
    let sum = 0;
    for (let j = 0; j < K; j++) sum += w[i * K + j]! * x[j]!;
    if (sum !== y[i]) fail("VERIFY_FAILED", { tensor: t.name, detail: `CB158 GEMV row ${i} is ${y[i]}, the product over the dequantized row is ${sum}` });
  }
}

async function verifyTensor(c: ContainerFile, t: ContainerTensorEntry, source: SourceModel | undefined, verify: VerifyOptions): Promise<ContainerTensorResult> {
  const layout = t.layout;
  const kernel = hasKernel(layout) ? "ternary" : layout === "cb158" ? "cb158" : "none";
  const result: ContainerTensorResult = { name: t.name, layout: t.layout, shape: [...t.shape], compression: t.compression, checksum: false, kernel, ok: false };
  let bytes: Uint8Array;
  try {
    bytes = await c.readTensor(t.name);
    result.checksum = true;
  } catch (e) {
    result.failure = blobFailure(e, "checksum");
    return result;
  }
  if (hasKernel(layout)) {
    const r = await verifyGgufTensor(ggufInfo(t), layout, bytes, { kv: new Map(), source, tl: t.params.tl, verify });
    result.ternary = r;
    // raw blobs: ggufInfo made the offsets absolute; deflated ones: they are positions in the inflated payload
    if (r.failure) result.failure = kernelFailure(t, "VERIFY_FAILED", r.failure.message, r.failure.fileOffset === undefined ? undefined : r.failure.fileOffset - ggufInfo(t).absoluteOffset);
  } else if (kernel === "cb158") {
    try {
      checkCb158(t, bytes);
    } catch (e) {
      if (!isTernpackError(e)) throw e;
      result.failure = kernelFailure(t, e.code, e.message, e.offset);
    }
  }
  result.ok = result.failure === undefined;
  return result;
}

export async function verifyContainer(path: string, options: VerifyContainerOptions = {}): Promise<VerifyContainerReport> {
  const start = performance.now();
  const verify: VerifyOptions = { ...(options.seeds ? { seeds: options.seeds } : {}), ...(options.tokens !== undefined ? { tokens: options.tokens } : {}) };
  const source =
    options.source === undefined
      ? undefined
      : await openSourceModel(options.source, { ...(options.env !== undefined ? { env: options.env } : {}), ...(options.revision !== undefined ? { revision: options.revision } : {}) });
  try {
    return await withFileSource(path, async (file) => {
      const c = await openContainer(file);
      const files: VerifyContainerReport["files"] = [];
      for (const f of c.manifest.files) {
        try {
          await c.readFile(f.name);
          files.push({ name: f.name, role: f.role, ok: true });
        } catch (e) {
          files.push({ name: f.name, role: f.role, ok: false, failure: blobFailure(e, "checksum") });
        }
      }
      const tensors: ContainerTensorResult[] = [];
      for (const t of c.manifest.tensors) tensors.push(await verifyTensor(c, t, source, verify));
      let padding: VerifyContainerReport["padding"] = { ok: true };
      try {
        await c.checkPadding();
      } catch (e) {
        padding = { ok: false, failure: blobFailure(e, "padding") };
      }
      return {
        file: path,
        ...(source ? { source: source.path } : {}),
        files,
        tensors,
        padding,
        verified: tensors.filter((t) => t.ok && t.kernel !== "none").length,
        ok: padding.ok && files.every((f) => f.ok) && tensors.every((t) => t.ok),
        elapsedMs: performance.now() - start,
      };
    });
  } finally {
    await source?.close();
  }
}
