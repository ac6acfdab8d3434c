/**
 * torchSumF32 against a literal transcription of the summation order in the golden README
 * (fixtures/absmean/README.md → /work/shared/golden/README.md, "absmean"): on floats of widely
 * varying magnitude every change of order shows in the last bits, and the lengths reach all four
 * cascade levels (level 3 needs 4,096 rows of 32 floats), odd leftovers and the n mod 8 tail.
 */
import { describe, expect, it } from "vitest";
import { torchSumF32 } from "../../src/quant/index.js";
import { lcg32 } from "../../src/core/prng.js";

const f = Math.fround;
type Vec = number[];
const add = (a: Vec, b: Vec): Vec => a.map((v, k) => f(v + b[k]!));
const ceilLog2 = (q: number) => (q <= 1 ? 0 : Math.ceil(Math.log2(q)));

/** cascade(q, row) of the README: four running sums of `width` lanes, four levels. */
function cascade(q: number, row: (i: number) => Vec[], width: number): Vec[] {
  const p = Math.max(4, ceilLog2(q) >> 2);
  const step = 2 ** p;
  const mask = step - 1;
  const A = Array.from({ length: 4 }, () => Array.from({ length: 4 }, () => new Array<number>(width).fill(0)));
  let i = 0;
  while (i + step <= q) {
    for (let r = 0; r < step; r++, i++) A[0] = A[0]!.map((acc, k) => add(acc, row(i)[k]!));
    for (let l = 1; l < 4; l++) {
      A[l] = A[l]!.map((acc, k) => add(acc, A[l - 1]![k]!));
      A[l - 1] = A[l - 1]!.map(() => new Array<number>(width).fill(0));
      if ((i & (mask << (l * p))) !== 0) break;
    }
  }
  for (; i < q; i++) A[0] = A[0]!.map((acc, k) => add(acc, row(i)[k]!));
  for (let l = 1; l < 4; l++) A[0] = A[0]!.map((acc, k) => add(acc, A[l]![k]!));
  return A[0]!;
}

function rowsum(items: Vec[], width: number): Vec {
  const q = Math.floor(items.length / 4);
  const P = cascade(q, (j) => items.slice(4 * j, 4 * j + 4), width);
  for (let i = 4 * q; i < items.length; i++) P[0] = add(P[0]!, items[i]!);
  return add(add(add(P[0]!, P[1]!), P[2]!), P[3]!);
}

function readmeSum(x: Float32Array): number {
  const n = x.length;
  if (n < 8) return rowsum(Array.from(x, (v) => [v]), 1)[0]!;
  const v = Math.floor(n / 8);
  const acc = rowsum(Array.from({ length: v }, (_, i) => Array.from(x.subarray(8 * i, 8 * i + 8))), 8);
  let s = 0;
  for (let k = 8 * v; k < n; k++) s = f(s + x[k]!);
  for (let lane = 0; lane < 8; lane++) s = f(s + acc[lane]!);
  return s;
}

function values(n: number, seed: number): Float32Array {
  const next = lcg32(seed);
  const u = () => next() / 4294967296;
  return Float32Array.from({ length: n }, () => (u() - 0.4) * 2 ** Math.floor(u() * 40 - 20));
}

const LENGTHS = [1, 2, 3, 5, 7, 8, 9, 15, 31, 32, 33, 63, 100, 519, 4095, 8205, 40_005, 131_173, 300_001];

describe("torchSumF32 follows the README's order bit for bit", () => {
  for (const n of LENGTHS) {
    it(`n = ${n}, signed values and magnitudes`, () => {
      const x = values(n + 5, n);
      const run = x.subarray(5); // a run that does not start at element 0
      const want = readmeSum(run);
      expect(torchSumF32(x, 5, n)).toBe(want);
      expect(torchSumF32(x, 5, n, true)).toBe(readmeSum(run.map(Math.abs)));
      // a plain float64 sum differs, so these inputs are sensitive to the order
      if (n >= 32) expect(run.reduce((a, v) => a + v, 0)).not.toBe(want);
    });
  }
});
