import { basename } from "node:path";
import { convert, type ConvertOptions, type ConvertResult } from "../../api/convert.js";
import { resolveModelPath } from "../../hub/hf-cache.js";
import type { Cb158Codebook, FallbackType, KeepType, Method, OutputFormat, Target, TernaryLayoutName } from "../../pipeline/options.js";
import { requirePositionals, type Command, type CommandContext } from "../args.js";
import { parseByteSize, parseCount, parseNumber, parseTl } from "../parse-values.js";
import { progressRenderer } from "../progress.js";
import { formatBytes, formatTable } from "../table.js";

const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

/** `<model>-<TYPE>.gguf` (the Hub reads the quant label from the name) or `<model>-<LAYOUT>.tpk`, in the current directory. */
function defaultOutput(model: string, o: ConvertOptions): string {
  const tpk = o.format === "tpk";
  const type =
    o.method === "none"
      ? (o.keepType ?? "f16")
      : o.method === "cb158"
        ? tpk ? "cb158" : "cb158-f16"
        : (o.layout ?? (o.target === "bitnet.cpp" ? "i2_s" : "tq2_0"));
  return `${basename(model.replace(/[/\\]+$/, ""))}-${type.toUpperCase()}.${tpk ? "tpk" : "gguf"}`;
}

function planTable(r: ConvertResult): string {
  return formatTable(
    ["tensor", "type", "dims (ne0 first)", "bytes", "offset", "note"],
    r.tensors.map((t) => [
      t.name,
      t.ggufType,
      `[${t.dims.join(", ")}]`,
      t.bytes,
      r.plan.shards.length > 1 ? `${t.shard + 1}:${t.offset}` : t.offset,
      t.fallbackReason ? "fallback" : t.tl ? `tl ${t.tl.params.BM}/${t.tl.params.BK}/${t.tl.params.bm} (${t.tl.source})` : "",
    ]),
    [3, 4],
  );
}

const fixed = (x: number, digits = 4) => x.toFixed(digits);

/** Per CB158 tensor: size and quality; then the model totals and the tensors kept at keepType. */
function cb158Table(r: ConvertResult): string[] {
  const c = r.cb158;
  if (!c) return [];
  const rows = r.tensors.flatMap((t) => {
    const q = t.cb158;
    if (!q) return [];
    const quality = [q.relativeError, q.importanceWeightedError, q.cosine, q.worstRowCosine].map((x) => fixed(x));
    return [[t.name, `[${t.shape.join(", ")}]`, fixed(q.effectiveBpw), ...quality, q.outliers, q.salientColumns, q.tierHistogram.join("/"), q.codebook === "learned" ? `learned ${q.codebookEntries}` : "grid", fixed(q.codebookEntropy, 2)]];
  });
  const table = formatTable(["tensor", "shape", "bpw", "rel err", "ε_h", "cos", "worst row cos", "outliers", "salient", "tiers 0/1/2/3", "codebook", "H(idx) bits"], rows, [2, 3, 4, 5, 6, 7, 8, 11]);
  return [
    table,
    `cb158: ${c.tensors} tensors, ${c.weights.toLocaleString("en-US")} weights at ${fixed(c.effectiveBpw)} bits/weight (target ${c.targetBpw}, every stored bit counted), ` +
      `mean rel err ${fixed(c.meanRelativeError)}, mean ε_h ${fixed(c.meanImportanceWeightedError)}, worst ε_h ${fixed(c.worstImportanceWeightedError)} (${c.worstTensor ?? "-"})`,
    `kept at ${r.plan.tensors.find((t) => t.name === c.kept.names[0])?.typeName ?? "keepType"}: ${c.kept.tensors} tensor(s), ${c.kept.parameters.toLocaleString("en-US")} parameters, ${formatBytes(c.kept.bytes)} (${c.kept.names.join(", ")})`,
    r.plan.format === "tpk"
      ? `stored as CB158: the container holds every CB158 tensor's packed bytes (export --to gguf writes them as F16 of the reconstruction)`
      : `written dequantized: every CB158 tensor is F16 of its reconstruction (ternpack.cb158.* KVs record the target and per-tensor bpw)`,
  ];
}

function bpw(r: ConvertResult): string {
  if (r.plan.method === "cb158") {
    const how = r.plan.format === "tpk" ? "CB158 tensors stored packed" : "CB158 tensors exported as F16";
    return `${r.bitsPerWeight.overall.toFixed(4)} bits/weight over the tensors (${how}; their CB158 size is below)`;
  }
  const t = r.bitsPerWeight.ternary;
  return `${t === undefined ? "" : `${t.toFixed(4)} bits/weight over ternary tensors, `}${r.bitsPerWeight.overall.toFixed(4)} overall`;
}

function summary(r: ConvertResult): string {
  const lines = [
    `${r.totals.tensors} tensors (${r.totals.ternaryTensors} ternary), ${r.totals.parameters.toLocaleString("en-US")} parameters, ${formatBytes(r.totals.fileBytes)} in ${r.plan.shards.length} file(s)`,
    bpw(r),
  ];
  if (r.dryRun) lines.unshift(planTable(r), "", `dry run: nothing read past the headers, nothing written`);
  else {
    const seconds = r.elapsedMs / 1000;
    const verified = r.cb158
      ? `verified ${r.verified} of ${r.cb158.tensors} CB158 tensors: decode of the packed bytes equals the reconstruction bit for bit`
      : `verified ${r.verified} of ${r.totals.ternaryTensors} ternary tensors with the reference kernels`;
    lines.push(
      ...cb158Table(r),
      verified,
      `${seconds.toFixed(2)} s, ${formatBytes(Math.round(r.totals.sourceBytes / Math.max(seconds, 1e-3)))}/s read, ${r.workers} worker thread(s)`,
      ...r.files.map((f) => `wrote ${f}`),
    );
  }
  for (const w of r.warnings) lines.push(`warning: ${w}`);
  for (const reason of new Set(r.plan.fallbacks.map((f) => f.reason))) lines.push(`  why: ${reason}`);
  if (!r.dryRun) lines.push(nextStep(r));
  return lines.join("\n");
}

/** How to run the file just written. */
function nextStep(r: ConvertResult): string {
  const file = r.files[0] ?? "model.gguf";
  if (r.plan.format === "tpk") return `check it with: ternpack verify ${file}; make a GGUF with: ternpack export ${file} --to gguf`;
  return r.plan.target === "bitnet.cpp"
    ? `run it with bitnet.cpp: python run_inference.py -m ${file} -p "Once upon a time" -n 32 (I2_S/TL1/TL2 need bitnet.cpp, not upstream llama.cpp)`
    : `run it with llama.cpp: llama-cli -m ${file} -p "Once upon a time" -n 32 --temp 0`;
}

/** SIGINT aborts the run (which removes partial output); a second SIGINT exits at once. */
function interruptible(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onSigint = () => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort(new Error("interrupted (SIGINT)"));
  };
  process.on("SIGINT", onSigint);
  return { signal: controller.signal, dispose: () => process.off("SIGINT", onSigint) };
}

async function run(ctx: CommandContext): Promise<void> {
  const [model] = requirePositionals(ctx, 1, "one model (folder, safetensors file or cached repo id)");
  const v = ctx.values;
  const input = await resolveModelPath(model!);
  const options: ConvertOptions = {
    input,
    target: str(v.target) as Target | undefined,
    layout: str(v.layout) as TernaryLayoutName | undefined,
    method: str(v.method) as Method | undefined,
    format: str(v.format) as OutputFormat | undefined,
    ...(v.compress === true ? { compress: true } : {}),
    keepType: str(v["keep-type"]) as KeepType | undefined,
    fallback: str(v.fallback) as FallbackType | undefined,
    tl: parseTl(str(v.tl)),
    verify: v["no-verify"] !== true,
    workers: parseCount("workers", str(v.workers)),
    splitMaxBytes: parseByteSize("split-max-size", str(v["split-max-size"])),
    dryRun: v["dry-run"] === true,
    bpw: parseNumber("bpw", str(v.bpw)),
    codebook: str(v.codebook) as Cb158Codebook | undefined,
    calib: str(v.calib),
    imatrix: str(v.imatrix),
    exportDequantized: v["export-dequantized"] === true ? true : undefined,
  };
  options.output = str(v.output) ?? (options.dryRun ? undefined : defaultOutput(model!, options));
  const progress = progressRenderer(v.quiet !== true && v.json !== true && !options.dryRun);
  const interrupt = interruptible();
  let result: ConvertResult;
  try {
    result = await convert({ ...options, signal: interrupt.signal, onProgress: progress.onProgress });
  } finally {
    progress.stop();
    interrupt.dispose();
  }
  if (v.json) ctx.out(JSON.stringify(result, null, 2));
  else if (v.quiet !== true || options.dryRun) ctx.out(summary(result));
}

export const convertCommand: Command = {
  summary: "convert a Hugging Face checkpoint to a verified ternary GGUF for llama.cpp or bitnet.cpp",
  args: "<model>",
  options: {
    output: { type: "string", short: "o", value: "file.gguf", description: "output file (default <model>-<TYPE>.gguf, or <model>-<LAYOUT>.tpk)" },
    format: { type: "string", short: "f", value: "name", description: "gguf (default) or tpk, the ternpack container (holds CB158 as is)" },
    compress: { type: "boolean", description: "tpk: also deflate float tensors where it pays (slower; side files always are)" },
    target: { type: "string", short: "t", value: "runtime", description: "llama.cpp (default) or bitnet.cpp" },
    layout: { type: "string", short: "l", value: "name", description: "ternary layout: tq2_0 (default), tq1_0 | i2_s (default), tl1, tl2" },
    method: { type: "string", value: "name", description: "absmean (default) ternarizes; cb158 quantizes with CB158; none converts without quantizing" },
    bpw: { type: "string", value: "bits", description: "cb158: target bits per weight, every stored bit counted (default 1.58)" },
    codebook: { type: "string", value: "name", description: "cb158: auto (default: a learned per-tensor table where it beats the grid; slower), grid, learned" },
    calib: { type: "string", value: "file.txt", description: "cb158: calibration text; its importance matrix is collected on the model" },
    imatrix: { type: "string", value: "file", description: "cb158: importance matrix (llama.cpp imatrix .dat or GGUF)" },
    "export-dequantized": { type: "boolean", description: "cb158 to GGUF (required there): write CB158 tensors as F16 of their reconstruction" },
    "keep-type": { type: "string", value: "type", description: "type of non-ternary matrices: f16 (default), f32, bf16, q8_0" },
    fallback: { type: "string", value: "type", description: "for tensors the layout cannot hold: f16 (default), q8_0, error" },
    tl: { type: "string", value: "BM,BK,bm", description: "TL1/TL2 tiling (default: bitnet.cpp preset, else the documented rule)" },
    "no-verify": { type: "boolean", description: "skip the reference-kernel check of every ternary tensor" },
    workers: { type: "string", short: "j", value: "n", description: "worker threads (default min(2, cores); 0 = main thread)" },
    "split-max-size": { type: "string", value: "size", description: "split into llama.cpp shards of at most this size (e.g. 2G)" },
    "dry-run": { type: "boolean", description: "print the plan (tensor table, sizes, bits per weight) without reading weights" },
    quiet: { type: "boolean", short: "q", description: "no progress bar and no summary" },
    json: { type: "boolean", description: "print a machine-readable summary" },
  },
  run,
};
