import { describeLayouts } from "../../api/layouts.js";
import type { Command } from "../args.js";
import { formatTable } from "../table.js";

export const layoutsCommand: Command = {
  summary: "list the weight layouts ternpack can write, with sizes and the runtime that executes each",
  args: "",
  options: { json: { type: "boolean", description: "print JSON" } },
  async run({ values, out }) {
    const rows = describeLayouts();
    if (values.json) {
      out(JSON.stringify({ layouts: rows }, null, 2));
      return;
    }
    out(
      formatTable(
        ["layout", "kind", "block", "bytes/block", "bits/weight", "ggml id", "runtime"],
        rows.map((r) => [
          r.name,
          r.kind,
          r.blockSize,
          r.blockBytes ?? "per tensor",
          r.bitsPerWeight.toFixed(4),
          r.ggmlType ?? "-",
          r.runtime,
        ]),
        [2, 3, 4, 5],
      ),
    );
    out("\nbits/weight on a 4096x4096 tensor, including per-tensor scale tails (i2_s, tl1, tl2).");
  },
};
