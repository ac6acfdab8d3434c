/**
 * Collecting an importance matrix from a forward pass (`--calib`): for every linear layer the
 * pass reports its input rows; Σx² per column is kept in float64 with the number of rows, and
 * `finish()` turns them into f32 means Σx²/rows. Dense weights only (one matrix per name).
 */
import { fail } from "../../core/errors.js";
import type { ImatrixEntry, ImatrixSink, ImportanceMatrix } from "./types.js";
import { checkNonNegative } from "./values.js";

export interface ImatrixCollectorOptions {
  /** Calibration text file name(s), recorded as provenance (`imatrix.datasets`). */
  datasets?: readonly string[];
  /** Tokens per chunk the forward pass evaluates (`imatrix.chunk_size`). */
  chunkSize?: number;
}

interface Accumulator {
  sums: Float64Array;
  rows: number;
}

export class ImatrixCollector implements ImatrixSink {
  private readonly accumulators = new Map<string, Accumulator>();
  private chunks = 0;

  constructor(private readonly options: ImatrixCollectorOptions = {}) {}

  /** Adds the rows of `x` (rows × `columns`, row-major) to the statistics of weight `name`. */
  accumulate(name: string, x: Float32Array, columns: number): void {
    if (!Number.isSafeInteger(columns) || columns < 1 || x.length % columns !== 0) {
      fail("SHAPE_MISMATCH", { tensor: name, detail: `${x.length} activations are not whole rows of ${columns} columns` });
    }
    let acc = this.accumulators.get(name);
    if (acc !== undefined && acc.sums.length !== columns) {
      fail("SHAPE_MISMATCH", { tensor: name, detail: `input has ${columns} columns, earlier calls had ${acc.sums.length}` });
    }
    const rows = x.length / columns;
    if (rows === 0) return;
    if (acc === undefined) {
      acc = { sums: new Float64Array(columns), rows: 0 };
      this.accumulators.set(name, acc);
    }
    const sums = acc.sums;
    for (let r = 0, base = 0; r < rows; r++, base += columns) {
      for (let j = 0; j < columns; j++) {
        const v = x[base + j] as number;
        sums[j] = (sums[j] as number) + v * v;
      }
    }
    acc.rows += rows;
  }

  /** Marks the end of one calibration chunk (counted as `imatrix.chunk_count`). */
  endChunk(): void {
    this.chunks += 1;
  }

  /** The means so far; NON_FINITE if any activation was NaN or ±∞ (or squares overflowed). */
  finish(): ImportanceMatrix {
    const entries = new Map<string, ImatrixEntry>();
    let tokens: number | undefined;
    for (const [name, { sums, rows }] of this.accumulators) {
      checkNonNegative(sums, { tensor: name, what: "Σx²" });
      const mean = new Float32Array(sums.length);
      for (let j = 0; j < sums.length; j++) mean[j] = (sums[j] as number) / rows;
      entries.set(name, { mean, columns: sums.length, matrices: 1, tokens: Float64Array.of(rows) });
      tokens = Math.max(tokens ?? 0, rows);
    }
    return {
      entries,
      provenance: {
        sourceFile: undefined,
        datasets: [...(this.options.datasets ?? [])],
        chunkCount: this.chunks,
        chunkSize: this.options.chunkSize,
        tokens,
        format: "collected",
      },
    };
  }
}
