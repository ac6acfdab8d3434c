import { isContainerFile } from "../../api/container-file.js";
import { verifyGguf } from "../../api/verify-gguf.js";
import { TernpackError } from "../../core/errors.js";
import { requirePositionals, type Command } from "../args.js";
import { parseTl } from "../parse-values.js";
import { formatTable } from "../table.js";
import { runVerifyContainer } from "./verify-container.js";

export const verifyCommand: Command = {
  summary: "re-read a GGUF or .tpk container and check every ternary tensor with the reference kernels (and against the source weights); containers also every checksum",
  args: "<file.gguf|file.tpk>",
  options: {
    source: { type: "string", value: "model", description: "the model it was converted from (folder, file or cached repo id)" },
    revision: { type: "string", value: "rev", description: "revision of a cached repo id (default main)" },
    tl: { type: "string", value: "BM,BK,bm", description: "TL1/TL2 tiling when the file does not record it" },
    json: { type: "boolean", description: "print the report as JSON" },
  },
  async run(ctx) {
    const [file] = requirePositionals(ctx, 1, "one GGUF or container file");
    const { values } = ctx;
    if (await isContainerFile(file!)) {
      if (values.tl !== undefined) throw new TernpackError("USAGE", { detail: "--tl applies to GGUF files; a container records every tensor's tiling" });
      return runVerifyContainer(ctx, file!, values.source as string | undefined, values.revision as string | undefined);
    }
    const report = await verifyGguf(file!, {
      ...(typeof values.source === "string" ? { source: values.source } : {}),
      ...(typeof values.revision === "string" ? { revision: values.revision } : {}),
      tl: parseTl(values.tl as string | undefined),
    });
    if (values.json) ctx.out(JSON.stringify(report, null, 2));
    else {
      ctx.out(
        formatTable(
          ["tensor", "type", "shape", "against", "result"],
          report.tensors.map((t) => [t.name, t.type, `${t.shape[0]}x${t.shape[1]}`, t.against, t.ok ? "ok" : `FAILED: ${t.failure?.message ?? ""}`]),
        ),
      );
      const failed = report.tensors.filter((t) => !t.ok).length;
      ctx.out(`\n${report.tensors.length - failed} of ${report.tensors.length} ternary tensors verified${report.files.length > 1 ? ` in ${report.files.length} shards` : ""}${report.source ? ` against ${report.source}` : ""}; ${report.skipped.length} other tensors not checked (${(report.elapsedMs / 1000).toFixed(2)} s)`);
    }
    if (!report.ok) {
      const bad = report.tensors.find((t) => !t.ok)!;
      throw new TernpackError("VERIFY_FAILED", { file: file!, tensor: bad.name, offset: bad.failure?.fileOffset, detail: bad.failure?.message });
    }
  },
};
