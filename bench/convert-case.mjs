/**
 * One measurement of bench/convert.mjs, in a process of its own so that its peak RSS is its own:
 *
 *   node bench/convert-case.mjs '<json>'      json: { kind, folder, output?, target?, layout?, workers? }
 *
 * kind "floor":     every planned tensor's bytes read through the library's checkpoint reader
 *                   (`readBytes`: one positional read of exactly the tensor's range into a fresh
 *                   buffer, the reader's chunking), in the order convert() reads them; nothing else.
 * kind "raw-floor": the same byte ranges with fs positional reads into one reused buffer (what the
 *                   disk/page cache gives with no allocation at all), for comparison.
 * kind "convert":   convert() with verification on; `output` is removed afterwards.
 *
 * Prints one JSON line: wall ms, CPU ms and system ms (all threads) of the measured part, the RSS
 * at start and the peak RSS (the kernel's maxRSS: worker threads share the process, so it covers
 * them; sampling memoryUsage() could miss a short peak).
 */
import { open, rm } from "node:fs/promises";
import { convert, openCheckpoint, planConversion } from "../dist/index.js";

async function plannedSources(folder) {
  const plan = await planConversion({ input: folder });
  return plan.tensors.map((t) => t.source);
}

async function floor({ folder }) {
  const names = await plannedSources(folder);
  const checkpoint = await openCheckpoint(folder);
  let bytes = 0;
  const start = performance.now();
  for (const name of names) bytes += (await checkpoint.readBytes(name)).length;
  const ms = performance.now() - start;
  await checkpoint.close();
  return { ms, bytes };
}

async function rawFloor({ folder }) {
  const names = await plannedSources(folder);
  const checkpoint = await openCheckpoint(folder);
  const infos = names.map((n) => checkpoint.get(n));
  await checkpoint.close();
  const buffer = new Uint8Array(Math.max(...infos.map((t) => t.byteLength)));
  const handles = new Map();
  let bytes = 0;
  const start = performance.now();
  for (const t of infos) {
    let handle = handles.get(t.file);
    if (!handle) handles.set(t.file, (handle = await open(t.file, "r")));
    for (let done = 0; done < t.byteLength; ) {
      const { bytesRead } = await handle.read(buffer, done, t.byteLength - done, t.byteOffset + done);
      if (bytesRead === 0) throw new Error(`${t.file} shrank`);
      done += bytesRead;
    }
    bytes += t.byteLength;
  }
  const ms = performance.now() - start;
  for (const h of handles.values()) await h.close();
  return { ms, bytes };
}

async function convertCase({ folder, output, target, layout, workers }) {
  const start = performance.now();
  const result = await convert({ input: folder, output, target, layout, workers, verify: true });
  const ms = performance.now() - start;
  await rm(output, { force: true });
  const ternary = result.tensors.filter((t) => t.verification !== undefined).length;
  return { ms, verified: result.verified, ternary, workersUsed: result.workers, warnings: result.warnings };
}

const RUNS = { floor, "raw-floor": rawFloor, convert: convertCase };

const args = JSON.parse(process.argv[2]);
const run = RUNS[args.kind] ?? (() => Promise.reject(new Error(`unknown kind ${args.kind}`)));
const baselineRss = process.memoryUsage().rss;
const cpuBefore = process.cpuUsage();
const result = await run(args);
const cpu = process.cpuUsage(cpuBefore);
const maxRss = process.resourceUsage().maxRSS * 1024;
process.stdout.write(`${JSON.stringify({ ...result, cpuMs: (cpu.user + cpu.system) / 1000, sysMs: cpu.system / 1000, baselineRss, maxRss })}\n`);
