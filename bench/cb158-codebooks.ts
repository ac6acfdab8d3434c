/**
 * CB158 codebooks compared at 1.58 bpw: the built-in ternary grid, the per-tensor learned table
 * (table bits paid from the same budget) and "auto" (the quantizer's own per-tensor choice), by
 * importance-weighted relative error ε_h, with quantization throughput of each.
 * - every tinystories-656k linear, h = the imatrix of fixtures/calibration/tinystories-calib.txt;
 * - 4096×4096 and 2048×5632 Student-t-like (ν = 3) synthetic matrices, h from a seeded exponential.
 * Run: tsup bench/cb158-codebooks.ts --no-config --format esm --target node20 --out-dir .tmp/bench && node .tmp/bench/cb158-codebooks.js
 */
import { readFile } from "node:fs/promises";
import { collectImatrix } from "../src/api/calibrate.js";
import { mulberry32 } from "../src/core/prng.js";
import { importanceWeightedError, quantizeCb158, type Cb158Options } from "../src/quant/cb158/index.js";
import { studentTLike, tinyStoriesLinears } from "../test/quant/cb158/helpers.js";

const MODEL = "fixtures/tinystories-656k";
const CALIB = "fixtures/calibration/tinystories-calib.txt";
const MODES = ["grid", "learned", "auto"] as const;

interface Row {
  name: string;
  shape: [number, number];
  values: Float32Array;
  h: Float32Array;
}

function measure(t: Row): (string | number)[] {
  const cells: (string | number)[] = [t.name, `${t.shape[0]}x${t.shape[1]}`];
  let chosen = "";
  let table = 0;
  for (const codebook of MODES) {
    const options: Cb158Options = { codebook, importance: t.h };
    const start = performance.now();
    let eh = "—";
    let rate = "—";
    try {
      const r = quantizeCb158(t.values, t.shape, options);
      const seconds = (performance.now() - start) / 1000;
      eh = importanceWeightedError(t.values, r.reconstruction, t.shape[1], t.h).toFixed(4);
      rate = (t.values.length / seconds / 1e6).toFixed(2);
      if (codebook === "auto") chosen = r.stats.codebook;
      if (codebook === "learned") table = r.stats.codebookEntries;
    } catch (e) {
      eh = `(${(e as Error).message.slice(0, 30)})`;
    }
    cells.push(eh, rate);
  }
  cells.push(table, chosen);
  return cells;
}

function table(header: string[], rows: (string | number)[][]): string {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, c) => Math.max(...cells.map((r) => r[c]!.length)));
  return cells.map((r) => r.map((x, c) => (c === 0 ? x.padEnd(widths[c]!) : x.padStart(widths[c]!))).join("  ")).join("\n");
}

/** The imatrix's GGUF name of a llama-family HF linear (model.layers.N.self_attn.q_proj.weight → blk.N.attn_q.weight). */
function ggufName(hf: string): string {
  const parts: Record<string, string> = { "self_attn.q_proj": "attn_q", "self_attn.k_proj": "attn_k", "self_attn.v_proj": "attn_v", "self_attn.o_proj": "attn_output", "mlp.gate_proj": "ffn_gate", "mlp.up_proj": "ffn_up", "mlp.down_proj": "ffn_down" };
  const m = /^model\.layers\.(\d+)\.(.+)\.weight$/.exec(hf);
  return m && parts[m[2]!] ? `blk.${m[1]}.${parts[m[2]!]}.weight` : hf;
}

function synthetic(rows: number, cols: number, seed: number): Row {
  const next = mulberry32(seed);
  return { name: `student-t ν=3 #${seed}`, shape: [rows, cols], values: studentTLike(rows * cols, seed, 3, 0.02), h: Float32Array.from({ length: cols }, () => -Math.log(1 - next())) };
}

async function main(): Promise<void> {
  const calib = await readFile(CALIB, "utf8");
  const imatrix = await collectImatrix({ model: MODEL, text: calib, datasets: ["tinystories-calib.txt"] });
  const rows: Row[] = [];
  for (const t of await tinyStoriesLinears()) {
    const entry = imatrix.entries.get(ggufName(t.name));
    if (entry) rows.push({ ...t, h: entry.mean });
  }
  const only = process.argv[2];
  const header = ["tensor", "shape", "ε_h grid", "Mw/s", "ε_h learned", "Mw/s", "ε_h auto", "Mw/s", "table entries", "auto chose"];
  if (only !== "synthetic") {
    console.log(`CB158 at 1.58 bpw on the tinystories-656k linears (imatrix from ${CALIB})\n`);
    console.log(table(header, rows.map(measure)));
  }
  if (only !== "tinystories") {
    console.log(`\nCB158 at 1.58 bpw on heavy-tailed synthetic matrices\n`);
    console.log(table(header, [synthetic(4096, 4096, 1), synthetic(2048, 5632, 2)].map(measure)));
  }
}

await main();
