import { inspect, type InspectReport, type MetadataValue } from "../../api/inspect.js";
import { requirePositionals, type Command } from "../args.js";
import { formatBytes, formatTable } from "../table.js";

/** Long arrays (vocabularies) are summarised for people; --json prints them whole. */
function brief(v: MetadataValue): string {
  if (Array.isArray(v)) {
    const head = v.slice(0, 4).map((x) => JSON.stringify(x)).join(", ");
    return v.length <= 4 ? `[${head}]` : `[${head}, …] (${v.length} values)`;
  }
  const s = typeof v === "string" ? JSON.stringify(v) : String(v);
  return s.length > 100 ? `${s.slice(0, 97)}…` : s;
}

function human(r: InspectReport): string {
  const total = r.tensors.reduce((a, t) => a + t.nbytes, 0);
  const meta = Object.entries(r.metadata);
  const gguf = r.format === "gguf";
  const tpk = r.format === "tpk";
  const lines = [
    `${r.file}: ${r.format}, ${r.tensors.length} tensors, ${formatBytes(total)} of tensor data`,
    ...Object.entries(r.header).map(([k, v]) => `  ${k}: ${brief(v)}`),
    "",
    `metadata (${meta.length}):`,
    ...meta.map(([k, v]) => `  ${k} = ${brief(v)}`),
    "",
    formatTable(
      ["name", "type", gguf ? "shape (ne0 first)" : "shape", "offset", "bytes", ...(gguf || tpk ? ["bpw"] : []), ...(tpk ? ["stored"] : [])],
      r.tensors.map((t) => [
        t.name,
        t.type,
        `[${t.shape.join(", ")}]`,
        t.offset,
        t.nbytes,
        ...(t.bitsPerWeight === undefined ? [] : [t.bitsPerWeight.toFixed(4)]),
        ...(t.storedBytes === undefined ? [] : [t.compression === "none" ? "raw" : `${t.compression} ${t.storedBytes}`]),
      ]),
      [3, 4, 5],
    ),
  ];
  return lines.join("\n");
}

export const inspectCommand: Command = {
  summary: "show the metadata and tensor table of a GGUF, .tpk container or safetensors file (or checkpoint folder)",
  args: "<file>",
  options: { json: { type: "boolean", description: "print a stable JSON document instead of a table" } },
  async run(ctx) {
    const [file] = requirePositionals(ctx, 1, "one file or folder");
    const report = await inspect(file!);
    ctx.out(ctx.values.json ? JSON.stringify(report, null, 2) : human(report));
  },
};
