/** `ternpack verify file.tpk`: the container report as a table or JSON; the first failure becomes the exit error. */
import { verifyContainer, type VerifyContainerReport } from "../../api/verify-container.js";
import { TernpackError } from "../../core/errors.js";
import type { CommandContext } from "../args.js";
import { formatTable } from "../table.js";

function human(r: VerifyContainerReport): string {
  const rows = r.tensors.map((t) => [t.name, t.layout, `[${t.shape.join(", ")}]`, t.compression, t.checksum ? "ok" : "FAILED", t.kernel, t.ok ? "ok" : `FAILED: ${t.failure?.message ?? ""}`]);
  const badFiles = r.files.filter((f) => !f.ok);
  const kernelTensors = r.tensors.filter((t) => t.kernel !== "none").length;
  return [
    formatTable(["tensor", "layout", "shape", "stored", "sha256", "kernel", "result"], rows),
    "",
    `${r.tensors.filter((t) => t.checksum).length} of ${r.tensors.length} tensor checksums and ${r.files.length - badFiles.length} of ${r.files.length} side-file checksums match; padding ${r.padding.ok ? "all zero" : "NOT zero"}`,
    `${r.verified} of ${kernelTensors} packed tensors verified with the reference kernels${r.source ? ` against ${r.source}` : ""} (${(r.elapsedMs / 1000).toFixed(2)} s)`,
  ].join("\n");
}

export async function runVerifyContainer(ctx: CommandContext, file: string, source: string | undefined, revision: string | undefined): Promise<void> {
  const report = await verifyContainer(file, { ...(source !== undefined ? { source } : {}), ...(revision !== undefined ? { revision } : {}) });
  ctx.out(ctx.values.json ? JSON.stringify(report, null, 2) : human(report));
  if (report.ok) return;
  const bad = [...report.files, ...report.tensors].find((b) => !b.ok && b.failure) ?? { name: undefined, failure: report.padding.failure };
  const f = bad.failure!;
  throw new TernpackError(f.check === "kernel" ? "VERIFY_FAILED" : f.code, { file, tensor: bad.name, offset: f.fileOffset, detail: f.message });
}
