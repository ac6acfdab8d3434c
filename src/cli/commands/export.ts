import { basename, extname } from "node:path";
import { exportContainer, type ExportContainerOptions } from "../../api/export-container.js";
import { requirePositionals, requireString, type Command } from "../args.js";

/** `<file minus .tpk>.gguf` / `.safetensors` in the current directory. */
const defaultOutput = (file: string, to: string) => `${basename(file, extname(file))}.${to}`;

export const exportCommand: Command = {
  summary: "export a ternpack container to GGUF (what convert writes) or to dequantized safetensors (for any tool)",
  args: "<file.tpk>",
  options: {
    to: { type: "string", value: "format", description: "gguf or safetensors (required)" },
    output: { type: "string", short: "o", value: "file", description: "output file (default <file>.gguf / <file>.safetensors)" },
    dtype: { type: "string", value: "type", description: "safetensors: f32 (default) or f16" },
    names: { type: "string", value: "which", description: "safetensors: stored (default: GGUF names, rows as stored) or source (the checkpoint's names and row order)" },
    json: { type: "boolean", description: "print the result as JSON" },
  },
  async run(ctx) {
    const [file] = requirePositionals(ctx, 1, "one container file");
    const to = requireString(ctx.values, "to") as ExportContainerOptions["to"];
    const dtype = ctx.values.dtype as ExportContainerOptions["dtype"];
    const names = ctx.values.names as ExportContainerOptions["names"];
    const output = typeof ctx.values.output === "string" ? ctx.values.output : defaultOutput(file!, to);
    const r = await exportContainer(file!, { to, output, ...(dtype !== undefined ? { dtype } : {}), ...(names !== undefined ? { names } : {}) });
    ctx.out(ctx.values.json ? JSON.stringify(r, null, 2) : `wrote ${r.file}: ${r.tensors} tensors (${r.dequantized} dequantized), every blob checksum verified`);
  },
};
