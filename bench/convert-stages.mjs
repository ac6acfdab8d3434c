/**
 * Where convert()'s time and memory go, tensor kind by tensor kind, on the main thread with the
 * library's own pipeline steps (dist/): read (checkpoint readBytes) → map → quantize → pack →
 * verify, each timed. "Σ s" extrapolates to the whole plan (the kind's time × how many tensors of
 * that kind it has).
 *
 * Then a second pass counts every typed array each step allocates (the global typed-array
 * constructors are replaced by counting subclasses for that pass only, so its times are not used),
 * which names the allocations that make up a worker's peak memory.
 *
 *   node bench/convert-stages.mjs '{"folder": "...", "target": "llama.cpp", "layout": "tq2_0"}'
 */
import { mapJob, openCheckpoint, packJob, planConversion, quantizeJob, verifyJob } from "../dist/index.js";

const { folder, target, layout } = JSON.parse(process.argv[2]);
const MB = 1e6;
const STEPS = [
  ["map", mapJob],
  ["quantize", quantizeJob],
  ["pack", packJob],
  ["verify", verifyJob],
];

/** "model.layers.3.mlp.up_proj.weight" → "mlp.up_proj"; globals keep their name. */
const kindOf = (source) => source.replace(/^model\.layers\.\d+\./, "").replace(/\.weight$/, "");

function timed(fn) {
  const start = performance.now();
  const value = fn();
  return { value, ms: performance.now() - start };
}

/** Every step on `data`: { ms per step, the final job }. */
function runSteps(t, data, onStep = () => {}) {
  const ms = {};
  let job = { tensor: t, data };
  for (const [step, fn] of STEPS) {
    onStep(step);
    const r = timed(() => fn(job));
    job = r.value;
    ms[step] = r.ms;
  }
  return { ms, job };
}

const TYPED = [Float32Array, Float64Array, Int8Array, Uint8Array, Int16Array, Uint16Array, Int32Array, Uint32Array];

/** Replaces the global typed-array constructors by subclasses that report each new array's bytes (views of an existing buffer are not new memory). */
function countAllocations(record) {
  for (const Base of TYPED) {
    const Counted = class extends Base {
      constructor(...args) {
        super(...args);
        const [first] = args;
        if (!(first instanceof ArrayBuffer || first instanceof SharedArrayBuffer)) record(Base.name, this.byteLength);
      }
    };
    Object.defineProperty(Counted, "name", { value: Base.name });
    globalThis[Base.name] = Counted;
  }
}

function print(header, body) {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  const line = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  console.log(`${line(header)}\n${widths.map((w) => "-".repeat(w)).join("  ")}\n${body.map(line).join("\n")}`);
}

const plan = await planConversion({ input: folder, target, layout });
const checkpoint = await openCheckpoint(folder);
const count = new Map();
const firstOf = new Map();
for (const t of plan.tensors) {
  const kind = kindOf(t.source);
  count.set(kind, (count.get(kind) ?? 0) + 1);
  if (!firstOf.has(kind) && t.shape.length === 2) firstOf.set(kind, t);
}

const f0 = (x) => (Number.isNaN(x) ? "-" : x.toFixed(0));
const timeRows = [];
let totalMs = 0;
for (const [kind, t] of firstOf) {
  const read = await (async () => {
    const start = performance.now();
    const value = await checkpoint.readBytes(t.source);
    return { value, ms: performance.now() - start };
  })();
  const { ms } = runSteps(t, read.value);
  const perTensor = read.ms + STEPS.reduce((sum, [s]) => sum + ms[s], 0);
  const n = count.get(kind);
  totalMs += perTensor * n;
  timeRows.push([kind, t.shape.join("×"), t.typeName, f0(read.ms), ...STEPS.map(([s]) => f0(ms[s])), String(n), ((perTensor * n) / 1000).toFixed(1)]);
}

const allocated = new Map(); // kind → step → [{ type, bytes }]
let current;
countAllocations((type, bytes) => current?.push({ type, bytes }));
for (const [kind, t] of firstOf) {
  const steps = new Map();
  allocated.set(kind, steps);
  const take = (step) => steps.set(step, (current = []));
  take("read");
  const data = await checkpoint.readBytes(t.source);
  runSteps(t, data, take);
  current = undefined;
}
await checkpoint.close();

/** "70.8 + 17.7×2 + 0.5 more": arrays of ≥ 1 MB by size, the rest summed. */
function describe(list) {
  const big = new Map();
  let rest = 0;
  for (const { bytes } of list) {
    if (bytes >= MB) big.set(bytes, (big.get(bytes) ?? 0) + 1);
    else rest += bytes;
  }
  const parts = [...big].sort((a, b) => b[0] - a[0]).map(([bytes, n]) => `${(bytes / MB).toFixed(1)}${n > 1 ? `×${n}` : ""}`);
  if (rest >= 0.05 * MB || parts.length === 0) parts.push(`${(rest / MB).toFixed(1)} small`);
  return parts.join(" + ");
}

const allocSteps = ["read", ...STEPS.map(([s]) => s)];
const allocRows = [...allocated].map(([kind, steps]) => {
  const total = [...steps.values()].flat().reduce((sum, a) => sum + a.bytes, 0);
  return [kind, ...allocSteps.map((s) => describe(steps.get(s) ?? [])), (total / MB).toFixed(0), (total / firstOf.get(kind).sourceBytes).toFixed(1)];
});

console.log(`\nstage breakdown, ${layout} (${target}), on the main thread, one tensor of each kind (1-D norms omitted: tiny):`);
print(["tensor", "shape", "type", "read ms", ...STEPS.map(([s]) => `${s} ms`), "× in plan", "Σ s"], timeRows);
console.log(`Σ over the plan's 2-D tensors ≈ ${(totalMs / 1000).toFixed(1)} s of single-thread work`);
console.log(`\ntyped arrays allocated by each step, MB (sizes ≥ 1 MB listed; "×2" = two of that size):`);
print(["tensor", ...allocSteps.map((s) => `${s} MB`), "total MB", "× source"], allocRows);
