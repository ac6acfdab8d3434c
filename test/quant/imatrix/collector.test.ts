import { describe, expect, it } from "vitest";
import { ImatrixCollector, type ImatrixSink } from "../../../src/quant/imatrix/index.js";
import { expectError } from "./helpers.js";

/** Σx²/rows per column by a plain float64 loop over the rows as given (independent of the collector). */
function handMeans(rows: readonly (readonly number[])[]): number[] {
  const k = rows[0]!.length;
  return Array.from({ length: k }, (_, j) => Math.fround(rows.reduce((s, r) => s + Math.fround(r[j]!) * Math.fround(r[j]!), 0) / rows.length));
}

describe("ImatrixCollector", () => {
  it("means are f32 of the float64 Σx² over all rows divided by the row count (rows, not calls, weigh)", () => {
    const first = [
      [0.1, -2.5, 3],
      [1e-3, 7, -0.3],
    ];
    const second = [[4, 0, 1.5]];
    const c = new ImatrixCollector();
    c.accumulate("blk.0.attn_q.weight", Float32Array.from(first.flat()), 3);
    c.accumulate("blk.0.attn_q.weight", Float32Array.from(second.flat()), 3);
    const e = c.finish().entries.get("blk.0.attn_q.weight")!;
    expect(Array.from(e.mean)).toEqual(handMeans([...first, ...second]));
    expect([e.columns, e.matrices, Array.from(e.tokens!)]).toEqual([3, 1, [3]]);
  });

  it("simple integers: rows [1,2] and [3,4] give [5, 10]", () => {
    const c = new ImatrixCollector();
    c.accumulate("w", Float32Array.of(1, 2, 3, 4), 2);
    expect(Array.from(c.finish().entries.get("w")!.mean)).toEqual([5, 10]);
  });

  it("keeps float64 sums: many tiny squares next to a large one are not lost as in f32", () => {
    const c = new ImatrixCollector();
    const rows = 4097;
    const x = new Float32Array(rows).fill(1);
    x[0] = 4096; // 4096² = 2^24: in f32, adding 1 to it would be lost every time
    c.accumulate("w", x, 1);
    expect(c.finish().entries.get("w")!.mean[0]).toBe(Math.fround((2 ** 24 + 4096) / rows));
  });

  it("records datasets, chunk size, chunks and the most tokens any weight saw", () => {
    const c = new ImatrixCollector({ datasets: ["calib.txt"], chunkSize: 128 });
    c.accumulate("a", new Float32Array(6), 2);
    c.accumulate("b", new Float32Array(4), 4);
    c.endChunk();
    c.endChunk();
    expect(c.finish().provenance).toEqual({
      sourceFile: undefined,
      datasets: ["calib.txt"],
      chunkCount: 2,
      chunkSize: 128,
      tokens: 3,
      format: "collected",
    });
  });

  it("is an ImatrixSink, and an empty batch records nothing", () => {
    const sink: ImatrixSink = new ImatrixCollector();
    sink.accumulate("w", new Float32Array(0), 8);
    expect((sink as ImatrixCollector).finish().entries.size).toBe(0);
  });

  it("rejects partial rows and a changed width (SHAPE_MISMATCH)", () => {
    const c = new ImatrixCollector();
    expectError(() => c.accumulate("w", new Float32Array(5), 2), "SHAPE_MISMATCH", "5 activations", "2 columns");
    expectError(() => c.accumulate("w", new Float32Array(4), 0), "SHAPE_MISMATCH");
    c.accumulate("w", new Float32Array(4), 2);
    expectError(() => c.accumulate("w", new Float32Array(4), 4), "SHAPE_MISMATCH", "4 columns, earlier calls had 2");
  });

  it("NaN or infinite activations → NON_FINITE naming the weight and column", () => {
    const c = new ImatrixCollector();
    c.accumulate("blk.3.ffn_up.weight", Float32Array.of(1, NaN, 2, 2), 2);
    const e = expectError(() => c.finish(), "NON_FINITE", "Σx²[1] is NaN");
    expect(e.tensor).toBe("blk.3.ffn_up.weight");
    const inf = new ImatrixCollector();
    inf.accumulate("w", Float32Array.of(-Infinity), 1);
    expectError(() => inf.finish(), "NON_FINITE", "Infinity");
  });
});
