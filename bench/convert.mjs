/**
 * convert() on a BitNet-b1.58-2B-4T-shaped BF16 checkpoint (bench/convert-checkpoint.mjs): the disk
 * floor (reading the same tensor bytes and nothing else), then TQ2_0 (llama.cpp) and I2_S
 * (bitnet.cpp) with verification, on 1 and 2 worker threads. Each measurement runs in its own
 * process (bench/convert-case.mjs) so that peak RSS is per case, in --repeat rounds (default 3) of
 * all cases, each reported by its median round. Uses the built library (dist/),
 * whose worker script is dist/pipeline-worker.js.
 *
 *   npm run bench:convert            (npx tsup >/dev/null && node bench/convert.mjs)
 *   node bench/convert.mjs --layers 8 --keep --skip-stages --repeat 5
 *
 * After the table, bench/convert-stages.mjs breaks one tensor of each kind down by pipeline step
 * (time and the typed arrays each step allocates), unless --skip-stages. The machine's load
 * average is printed per case: other processes on the same cores inflate wall times, 2-worker
 * runs most, and CPU s (all threads of the case process) is then the steadier number.
 *
 * Targets: conversion ≤ 4× the floor, peak RSS ≤ 400 MB. Everything lives in a folder under
 * os.tmpdir(), removed at the end (unless --keep).
 */
import { execFileSync } from "node:child_process";
import { mkdtemp, rm, stat, statfs } from "node:fs/promises";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { checkpointBytes, SHAPE, writeCheckpoint } from "./convert-checkpoint.mjs";

const FLOOR_RATIO_TARGET = 4;
const RSS_TARGET = 400e6;
const CASE_SCRIPT = fileURLToPath(new URL("./convert-case.mjs", import.meta.url));
const STAGES_SCRIPT = fileURLToPath(new URL("./convert-stages.mjs", import.meta.url));
const WORKER_SCRIPT = fileURLToPath(new URL("../dist/pipeline-worker.js", import.meta.url));
const LAYOUTS = [
  ["llama.cpp", "tq2_0"],
  ["bitnet.cpp", "i2_s"],
];

const { values: flags } = parseArgs({
  options: {
    layers: { type: "string", default: "7" },
    keep: { type: "boolean", default: false },
    "skip-stages": { type: "boolean", default: false },
    repeat: { type: "string", default: "3" },
  },
});
const layers = Number(flags.layers);
const repeat = Number(flags.repeat);
if (!(Number.isInteger(repeat) && repeat >= 1)) throw new Error(`--repeat must be a positive integer, got ${flags.repeat}`);
if (!(Number.isInteger(layers) && layers >= 6)) throw new Error(`--layers must be an integer >= 6, got ${flags.layers}`);

const MB = 1e6;
const mb = (bytes) => (bytes / MB).toFixed(0);

/** Page-cache residency of the shards, via util-linux fincore when it is installed. */
function cached(files) {
  try {
    const out = execFileSync("fincore", ["--bytes", "--noheadings", "--output", "RES,SIZE", ...files], { encoding: "utf8" });
    const [res, size] = out.trim().split("\n").map((l) => l.trim().split(/\s+/).map(Number)).reduce(([r, s], [a, b]) => [r + a, s + b], [0, 0]);
    return `${((100 * res) / size).toFixed(0)}% of the shards in the page cache (fincore)`;
  } catch {
    return "page-cache residency unknown (no fincore); the shards were just written, so expect them cached";
  }
}

function runCase(args) {
  const out = execFileSync(process.execPath, [CASE_SCRIPT, JSON.stringify(args)], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
  return JSON.parse(out.trim().split("\n").at(-1));
}

const load = () => loadavg()[0].toFixed(2);

const need = checkpointBytes(layers);
const dir = await mkdtemp(join(tmpdir(), "ternpack-bench-convert-"));
const cleanup = () => (flags.keep ? console.log(`kept ${dir}`) : rm(dir, { recursive: true, force: true }));
process.on("SIGINT", async () => {
  await cleanup();
  process.exit(130);
});

try {
  const fs = await statfs(dir);
  const free = fs.bavail * fs.bsize;
  // The checkpoint plus one output at a time (TQ2_0/I2_S are ~1/8 of BF16; margin for an F16 fallback).
  if (free < need * 1.5) throw new Error(`${dir}: ${mb(free)} MB free, the benchmark needs ${mb(need * 1.5)} MB`);

  const folder = join(dir, "model");
  const start = performance.now();
  const ckpt = await writeCheckpoint(folder, { layers });
  const writeMs = performance.now() - start;
  console.log(
    `checkpoint: ${layers} layers, hidden ${SHAPE.hidden}, ffn ${SHAPE.ffn}, heads ${SHAPE.heads}/${SHAPE.kvHeads}, vocab ${SHAPE.vocab}; ` +
      `${ckpt.tensors} tensors, ${mb(ckpt.bytes)} MB BF16 in 2 shards, ${(ckpt.parameters / 1e6).toFixed(0)} M weights; written in ${(writeMs / 1000).toFixed(1)} s`,
  );
  const built = (await stat(WORKER_SCRIPT)).mtime.toISOString();
  console.log(`dist/pipeline-worker.js built ${built}; ${availableParallelism()} cores; ${mb(free)} MB free in ${tmpdir()}`);
  console.log(`before the floor: ${cached(ckpt.shards)}`);

  const cases = [
    { label: "floor: checkpoint readBytes", args: { kind: "floor", folder } },
    { label: "floor: raw fs, reused buffer", args: { kind: "raw-floor", folder } },
  ];
  for (const [target, layout] of LAYOUTS) {
    for (const workers of [1, 2]) {
      cases.push({ label: `${layout} ${target}, workers ${workers}`, args: { kind: "convert", folder, output: join(dir, `out-${layout}-${workers}.gguf`), target, layout, workers } });
    }
  }

  // Rounds of every case in turn, so that a slow phase of the machine hits all cases alike; each
  // case reports its median round (wall, CPU and load of that round) and its largest peak RSS.
  const runs = cases.map(() => []);
  for (let round = 1; round <= repeat; round++) {
    cases.forEach((c, i) => {
      const loadBefore = load();
      const r = { ...runCase(c.args), load: loadBefore };
      if (c.args.kind === "convert" && r.verified !== r.ternary) throw new Error(`${c.label}: ${r.verified} of ${r.ternary} ternary tensors verified`);
      runs[i].push(r);
      process.stderr.write(`  round ${round}/${repeat}, ${c.label}: ${(r.ms / 1000).toFixed(2)} s\n`);
    });
  }
  const rows = cases.map((c, i) => {
    const sorted = [...runs[i]].sort((a, b) => a.ms - b.ms);
    const median = sorted[(sorted.length - 1) >> 1];
    return { ...c, r: { ...median, maxRss: Math.max(...sorted.map((x) => x.maxRss)) }, range: [sorted[0].ms, sorted[sorted.length - 1].ms] };
  });
  const floorMs = rows[0].r.ms;
  console.log(`after the runs: ${cached(ckpt.shards)}`);

  const head = ["case", "load", "wall s", "range s", "CPU s", "sys s", "MB/s", "Mweights/s", "peak RSS MB", "× floor", "verified"];
  const table = rows.map(({ label, args, r, range }) => [
    label,
    r.load,
    (r.ms / 1000).toFixed(2),
    range.map((ms) => (ms / 1000).toFixed(2)).join("–"),
    (r.cpuMs / 1000).toFixed(2),
    (r.sysMs / 1000).toFixed(2),
    ((ckpt.bytes / MB) / (r.ms / 1000)).toFixed(0),
    ((ckpt.parameters / 1e6) / (r.ms / 1000)).toFixed(0),
    mb(r.maxRss),
    (r.ms / floorMs).toFixed(1),
    args.kind === "convert" ? `${r.verified}/${r.ternary}` : "-",
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...table.map((row) => row[i].length)));
  const line = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  console.log(`\n${line(head)}\n${widths.map((w) => "-".repeat(w)).join("  ")}`);
  for (const row of table) console.log(line(row));

  const converts = rows.filter((x) => x.args.kind === "convert");
  const slow = converts.filter((x) => x.r.ms > FLOOR_RATIO_TARGET * floorMs).map((x) => x.label);
  const heavy = converts.filter((x) => x.r.maxRss > RSS_TARGET).map((x) => x.label);
  console.log(
    `\nMedian of ${repeat} rounds per case (range: fastest–slowest round; peak RSS: the largest). MB/s and weights/s count the checkpoint's ${mb(ckpt.bytes)} MB / ${(ckpt.parameters / 1e6).toFixed(0)} M weights. CPU s / sys s: user + system / system time of all the case's threads (sys is mostly page faults on fresh buffers). ` +
      `Peak RSS: the case process's maxRSS (main thread + worker threads, which share the process; ~${mb(rows[0].r.baselineRss)} MB of it is Node + the library at start). ` +
      `× floor: against the checkpoint-reader floor. load: 1-minute load average as the case started.`,
  );
  console.log(`targets: ≤ ${FLOOR_RATIO_TARGET}× floor: ${slow.length === 0 ? "met" : `MISSED by ${slow.join("; ")}`}`);
  console.log(`         peak RSS ≤ ${mb(RSS_TARGET)} MB: ${heavy.length === 0 ? "met" : `MISSED by ${heavy.join("; ")}`}`);
  console.log("reference: the Python pipelines take 36–45 s and 0.9–2.7 GB on the real 2B-4T checkpoint.");

  if (!flags["skip-stages"]) {
    for (const [target, layout] of LAYOUTS) {
      execFileSync(process.execPath, [STAGES_SCRIPT, JSON.stringify({ folder, target, layout })], { stdio: ["ignore", "inherit", "inherit"] });
    }
  }
} finally {
  await cleanup();
}
