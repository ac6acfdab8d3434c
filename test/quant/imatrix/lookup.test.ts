import { describe, expect, it } from "vitest";
import { planTensors, type TensorPlanEntry } from "../../../src/model/index.js";
import {
  ImatrixCollector,
  imatrixFor,
  imatrixForSource,
  missingImatrixNames,
  requireImatrix,
  type ImatrixTarget,
  type ImportanceMatrix,
} from "../../../src/quant/imatrix/index.js";
import { headersOf, specOf } from "../../model/helpers.js";
import { expectError } from "./helpers.js";

async function linearEntries(): Promise<TensorPlanEntry[]> {
  const { tensors, aliases } = await headersOf("tinystories-656k");
  return planTensors(specOf("tinystories-656k"), tensors, { aliases }).entries.filter((e) => e.dims.length === 2 && e.role !== "embedding");
}

/** An imatrix over `targets` where column j of every weight has mean (j + 1)². */
function matrixFor(targets: readonly ImatrixTarget[], columns = (t: ImatrixTarget) => t.dims[0]!): ImportanceMatrix {
  const c = new ImatrixCollector({ datasets: ["calib.txt"] });
  for (const t of targets) c.accumulate(t.gguf, Float32Array.from({ length: columns(t) }, (_, j) => j + 1), columns(t));
  return c.finish();
}

describe("importance vectors for plan entries", () => {
  it("finds h by the GGUF name of an HF source, with length K = in_features", async () => {
    const entries = await linearEntries();
    const m = matrixFor(entries);
    const h = imatrixForSource(m, entries, "model.layers.1.mlp.down_proj.weight");
    const down = entries.find((e) => e.gguf === "blk.1.ffn_down.weight")!;
    expect(down.shape[1]).toBe(h.length);
    expect(Array.from(h)).toEqual(Array.from({ length: down.shape[1]! }, (_, j) => (j + 1) ** 2));
    expect(() => requireImatrix(m, entries)).not.toThrow();
    expect(missingImatrixNames(m, entries)).toEqual([]);
  });

  it("lists every missing weight in one TENSOR_NOT_FOUND", async () => {
    const entries = await linearEntries();
    const m = matrixFor(entries.filter((e) => !e.gguf.startsWith("blk.1.")));
    const missing = entries.filter((e) => e.gguf.startsWith("blk.1.")).map((e) => e.gguf);
    expect(missing.length).toBeGreaterThan(1);
    expect(missingImatrixNames(m, entries)).toEqual(missing);
    const e = expectError(() => requireImatrix(m, entries), "TENSOR_NOT_FOUND", `lacks ${missing.length} of the ${entries.length}`, missing[0]!, missing[1]!);
    expect(e.tensor).toBe(missing[0]);
    expectError(() => imatrixFor(m, entries.find((t) => t.gguf === missing[0])!), "TENSOR_NOT_FOUND", "has no entry", "source 'model.layers.1.");
  });

  it("a vector whose length is not K → SHAPE_MISMATCH; an unknown source → TENSOR_NOT_FOUND", async () => {
    const entries = await linearEntries();
    const m = matrixFor(entries, (t) => t.dims[0]! + 1);
    const q = entries.find((e) => e.gguf === "blk.0.attn_q.weight")!;
    expectError(() => imatrixFor(m, q), "SHAPE_MISMATCH", `K = ${q.dims[0]}`);
    expectError(() => requireImatrix(m, entries), "SHAPE_MISMATCH");
    expectError(() => imatrixForSource(m, entries, "model.layers.9.mlp.up_proj.weight"), "TENSOR_NOT_FOUND", "not in the tensor plan");
  });
});
