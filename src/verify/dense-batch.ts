/**
 * The dense integer reference (what kernels/dense.ts `denseGemv` computes: Σ t·q per row and scale
 * group over plain int8 codes, no layout involved) for several tokens in one pass over the codes,
 * in WebAssembly SIMD (src/simd/ternary.wat `dense4`: int8 codes widened to int16, multiplied by
 * int16 activations and summed exactly in int32 lanes, four tokens per pass).
 * test/verify/dense-batch.test.ts checks it against `denseGemv`.
 *
 * Groups whose length is not a multiple of 16 are zero-padded (codes and activations alike).
 * A code outside {−1, 0, +1} is found by the module and reported here with its position.
 */
import { fail } from "../core/errors.js";
import { REGIONS, simd } from "../simd/instance.js";

/** Largest scale group: |Σ t·q| ≤ 128·G must fit an int32. */
export const MAX_DENSE_GROUP = 2 ** 23;
const TOKENS_PER_PASS = 4;
/** Codes copied into the module per call (whole rows, at least one). */
const CHUNK_BYTES = 1 << 18;

const align16 = (n: number) => Math.ceil(n / 16) * 16;

function rejectCode(codes: Int8Array, K: number, start: number, end: number, tensor?: string): never {
  for (let i = start; i < end; i++) {
    const t = codes[i]!;
    if (t > 1 || t < -1) fail("INVALID_TERNARY", { tensor, detail: `expected code ${t} at row ${Math.floor(i / K)}, column ${i % K}` });
  }
  throw new Error("dense reference: the module reported an invalid code that is not there");
}

/** Regions of one call: activations (4 tokens of int16), a chunk of rows of codes, their accumulators. */
function layout(rowBytes: number, groups: number) {
  const rows = Math.max(1, Math.floor(CHUNK_BYTES / rowBytes));
  const qStride = 2 * rowBytes;
  const q = REGIONS;
  const codes = q + TOKENS_PER_PASS * qStride;
  const acc = codes + rows * rowBytes;
  return { rows, qStride, q, codes, acc, end: acc + rows * groups * 16 };
}

/** Writes tokens first … first+3 of `q` (zeros past the last) as padded int16 rows. */
function writeActivations(heap: ArrayBuffer, at: number, q: Int8Array, tokens: number, K: number, first: number, groupSize: number, gBytes: number): void {
  const rowHalves = (K / groupSize) * gBytes;
  const out = new Int16Array(heap, at, TOKENS_PER_PASS * rowHalves);
  out.fill(0);
  for (let t = 0; t < TOKENS_PER_PASS && first + t < tokens; t++) {
    const src = (first + t) * K;
    for (let g = 0; g < K / groupSize; g++) {
      const dst = t * rowHalves + g * gBytes;
      for (let i = 0; i < groupSize; i++) out[dst + i] = q[src + g * groupSize + i]!;
    }
  }
}

/** Copies rows [r0, r0 + rows) of `codes` into the module, each group padded to `gBytes`. */
function writeCodes(heap: Uint8Array, at: number, codes: Int8Array, K: number, r0: number, rows: number, groupSize: number, gBytes: number): void {
  const bytes = new Uint8Array(codes.buffer, codes.byteOffset, codes.length);
  if (gBytes === groupSize) {
    heap.set(bytes.subarray(r0 * K, (r0 + rows) * K), at);
    return;
  }
  const groups = K / groupSize;
  heap.fill(0, at, at + rows * groups * gBytes);
  for (let r = 0; r < rows; r++) {
    for (let g = 0; g < groups; g++) {
      const src = (r0 + r) * K + g * groupSize;
      heap.set(bytes.subarray(src, src + groupSize), at + (r * groups + g) * gBytes);
    }
  }
}

/**
 * acc[t][r · (K / groupSize) + g] = Σ_{k in group g} codes[r·K + k] · q[t·K + k], exact int32,
 * for `tokens` rows of `q` (row-major tokens × K). Throws INVALID_TERNARY for a code outside {−1, 0, +1}.
 */
export function denseAccumulators(codes: Int8Array, M: number, K: number, q: Int8Array, tokens: number, groupSize: number, tensor?: string): Int32Array[] {
  if (groupSize > MAX_DENSE_GROUP) fail("LIMIT_EXCEEDED", { tensor, detail: `dense reference: scale groups of ${groupSize} > ${MAX_DENSE_GROUP} elements` });
  const groups = K / groupSize;
  const gBytes = align16(groupSize);
  const at = layout(groups * gBytes, groups);
  const { exports, memory, reserve } = simd();
  reserve(at.end - REGIONS);
  const accs = Array.from({ length: tokens }, () => new Int32Array(M * groups));
  for (let first = 0; first < tokens; first += TOKENS_PER_PASS) {
    writeActivations(memory.buffer, at.q, q, tokens, K, first, groupSize, gBytes);
    for (let r0 = 0; r0 < M; r0 += at.rows) {
      const rows = Math.min(at.rows, M - r0);
      writeCodes(new Uint8Array(memory.buffer), at.codes, codes, K, r0, rows, groupSize, gBytes);
      if (exports.dense4(at.codes, rows, groups, gBytes, at.q, at.qStride, at.acc) !== 0) rejectCode(codes, K, r0 * K, (r0 + rows) * K, tensor);
      const sums = new Int32Array(memory.buffer, at.acc, rows * groups * TOKENS_PER_PASS);
      for (let t = 0; t < TOKENS_PER_PASS && first + t < tokens; t++) {
        const out = accs[first + t]!;
        for (let i = 0, o = r0 * groups; i < rows * groups; i++, o++) out[o] = sums[TOKENS_PER_PASS * i + t]!;
      }
    }
  }
  return accs;
}
