/**
 * Publishing a ternpack container: `verifyContainer` re-reads every byte (manifest checksum and
 * schema, every blob's SHA-256, padding, every ternary and CB158 tensor through the reference
 * kernels), then the manifest and the GGUF metadata the container carries give what the card states.
 */
import { stat } from "node:fs/promises";
import { fail, TernpackError } from "../core/errors.js";
import { withFileSource } from "../core/io.js";
import { openContainer, type ContainerTensorEntry } from "../../formats/container/index.js";
import { hasKernel } from "../../kernels/index.js";
import { readContainerMetadata } from "../api/container-metadata.js";
import { verifyContainer, type VerifyContainerReport } from "../api/verify-container.js";
import { ggufFacts } from "./gguf-facts.js";
import type { FileCheck, ValidatedFile, ValidateFileOptions } from "./validated-file.js";

const weightsOf = (t: ContainerTensorEntry) => t.shape.reduce((a, b) => a * b, 1);
const bitsPerWeight = (list: readonly ContainerTensorEntry[]) => {
  const weights = list.reduce((a, t) => a + weightsOf(t), 0);
  return weights === 0 ? undefined : (8 * list.reduce((a, t) => a + t.length, 0)) / weights;
};

/** The first failure of a report as a VERIFY_FAILED naming the file and the tensor or side file. */
function requireOk(report: VerifyContainerReport, file: string): void {
  const tensor = report.tensors.find((t) => !t.ok);
  const side = report.files.find((f) => !f.ok);
  const failure = tensor?.failure ?? side?.failure ?? report.padding.failure;
  if (report.ok) return;
  throw new TernpackError("VERIFY_FAILED", {
    file,
    tensor: tensor?.name ?? side?.name,
    offset: failure?.fileOffset,
    detail: failure ? `${failure.check} check: ${failure.message}` : "the container did not verify",
  });
}

/** The label of a container without ternary layouts: CB158, else its most common matrix layout. */
function label(tensors: readonly ContainerTensorEntry[]): string {
  if (tensors.some((t) => t.layout === "cb158")) return "CB158";
  const counts = new Map<string, number>();
  for (const t of tensors) if (t.shape.length >= 2) counts.set(t.layout, (counts.get(t.layout) ?? 0) + 1);
  return ([...counts].sort((a, b) => b[1] - a[1])[0]?.[0] ?? "f32").toUpperCase();
}

export async function validateContainerFile(path: string, options: ValidateFileOptions): Promise<ValidatedFile> {
  const size = (await stat(path).catch((cause: Error) => fail("IO_ERROR", { file: path, detail: cause.message }))).size;
  const v = options.verify ?? {};
  const report = await verifyContainer(path, {
    ...(v.source !== undefined ? { source: v.source } : {}),
    ...(v.revision !== undefined ? { revision: v.revision } : {}),
    ...(v.env !== undefined ? { env: v.env } : {}),
    ...(v.seeds !== undefined ? { seeds: v.seeds } : {}),
    ...(v.tokens !== undefined ? { tokens: v.tokens } : {}),
  });
  requireOk(report, path);
  const { manifest, kv } = await withFileSource(path, async (src) => {
    const c = await openContainer(src);
    return { manifest: c.manifest, kv: (await readContainerMetadata(c)).kv };
  });
  const packed = manifest.tensors.filter((t) => hasKernel(t.layout) || t.layout === "cb158");
  const against = report.source ? "against the source weights" : "against their own decoded codes";
  const checks: FileCheck[] = [
    { name: "structure", detail: `ternpack container v${manifest.version}: manifest checksum and schema valid, ${manifest.tensors.length} tensors, ${manifest.files.length} side files` },
    { name: "checksums", detail: `SHA-256 of all ${manifest.tensors.length + manifest.files.length} blobs match; padding zero` },
    { name: "packed tensors", detail: `${report.verified} re-verified with the reference kernels ${against}` },
  ];
  return {
    path,
    kind: ".tpk",
    size,
    label: label(manifest.tensors),
    layouts: [...new Set(packed.map((t) => t.layout))],
    tensorCount: manifest.tensors.length,
    weightCount: manifest.tensors.reduce((a, t) => a + weightsOf(t), 0),
    bitsPerWeight: bitsPerWeight(manifest.tensors) ?? 0,
    ternaryBitsPerWeight: bitsPerWeight(packed),
    facts: ggufFacts(kv),
    checks,
  };
}
