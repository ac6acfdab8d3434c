/**
 * GEMV throughput of every reference kernel on a 4096 × 4096 matrix (one token).
 * The payloads are random BYTES that are valid for each layout (built here from the byte-level
 * rules, not by packing codes), so the kernels decode real layout traffic.
 *
 *   npx tsup bench/kernels.ts --no-config --format esm --target node20 --out-dir .tmp/bench --silent \
 *     && node .tmp/bench/kernels.js
 */
import { denseGemv, getKernel, type KernelName, type TlParams } from "../kernels/index.js";

const M = 4096;
const K = 4096;

let seed = 0x2545f491;
/** Uniform integer in [0, n) (xorshift32). */
function rand(n: number): number {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) % n;
}

/** Two 4-bit fields, each uniform in [lo, hi]. */
const nibbles = (lo: number, hi: number) => ((lo + rand(hi - lo + 1)) << 4) | (lo + rand(hi - lo + 1));
const code2 = () => rand(3) | (rand(3) << 2) | (rand(3) << 4) | (rand(3) << 6);
const pad32 = (n: number) => Math.ceil(n / 32) * 32;

/** Packed bytes, zero pad to 32, a 32-byte block whose first 4 bytes are the f32 scale. */
function withScaleBlock(body: Uint8Array, scale: number): Uint8Array {
  const out = new Uint8Array(pad32(body.length) + 32);
  out.set(body);
  new DataView(out.buffer).setFloat32(pad32(body.length), scale, true);
  return out;
}

function fill(n: number, byte: () => number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = byte();
  return b;
}

/** TQ blocks: `codeByte(i)` for byte i of the block, then an f16 d (0x2c00 = 0.0625). */
function tqBlocks(blockBytes: number, codeByte: (i: number) => number): Uint8Array {
  const blocks = (M * K) / 256;
  const b = new Uint8Array(blocks * blockBytes);
  for (let blk = 0; blk < blocks; blk++) {
    const o = blk * blockBytes;
    for (let i = 0; i < blockBytes - 2; i++) b[o + i] = codeByte(i);
    b[o + blockBytes - 1] = 0x2c;
  }
  return b;
}

/** TQ1_0 byte of a base-3 value v: ceil(v·256/243). */
const base3 = (v: number) => Math.floor((v * 256 + 242) / 243);

function tl2Payload(): Uint8Array {
  const K3 = Math.floor(K / 96) * 96;
  const index = (M * K3) / 6;
  const sign = (M * K3) / 24;
  const pairs = (M * (K - K3)) / 4;
  const L = Math.floor((Math.floor(((K - 256) * M) / 3) * 5) / 8) + Math.floor((Math.floor((256 * M) / 2) * 4) / 8);
  const body = new Uint8Array(L);
  // triple magnitudes 1…13 (never 0, so any sign bit is valid), random signs, pair indices 0…8
  for (let i = 0; i < index; i++) body[i] = nibbles(1, 13);
  for (let i = index; i < index + sign; i++) body[i] = rand(256);
  for (let i = index + sign; i < index + sign + pairs; i++) body[i] = nibbles(0, 8);
  return withScaleBlock(body, 0.02);
}

const CASES: { name: KernelName; params?: TlParams; payload: () => Uint8Array }[] = [
  { name: "i2_s", payload: () => withScaleBlock(fill((M * K) / 4, code2), 0.02) },
  { name: "tl1", params: { BM: 128, BK: 64, bm: 64 }, payload: () => withScaleBlock(fill((M * K) / 4, () => nibbles(0, 8)), 0.02) },
  { name: "tl2", params: { BM: 128, BK: 96, bm: 32 }, payload: tl2Payload },
  { name: "tq2_0", payload: () => tqBlocks(66, code2) },
  { name: "tq1_0", payload: () => tqBlocks(54, (i) => (i < 48 ? base3(rand(243)) : base3(3 * rand(81)))) },
];

function time(fn: () => unknown): number {
  for (let i = 0; i < 2; i++) fn(); // warm-up
  let runs = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0;
  while (runs < 3 || elapsed < 1) {
    fn();
    runs++;
    elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  }
  return elapsed / runs;
}

const q = fill(K, () => rand(256));
const qi8 = new Int8Array(q.buffer);
const sx = Math.fround(127 / 3.5);
const rate = (s: number) => ((M * K) / s / 1e6).toFixed(1).padStart(7);

console.log(`reference GEMV, ${M} × ${K}, one token (node ${process.version})`);
console.log("layout   gemv Mw/s   ms/gemv   dense Mw/s (denseGemv on the decoded codes)");
for (const c of CASES) {
  const kernel = getKernel(c.name);
  const payload = c.payload();
  const shape = [M, K];
  const gemv = time(() => kernel.gemv(payload, shape, c.params, qi8, sx));
  const { codes, scales } = kernel.codes(payload, shape, c.params);
  const groupSize = kernel.groupSize(shape);
  const dense = time(() => denseGemv(codes, shape, qi8, sx, scales, groupSize));
  console.log(`${c.name.padEnd(8)} ${rate(gemv)}   ${(gemv * 1e3).toFixed(1).padStart(7)}   ${rate(dense)}`);
}
