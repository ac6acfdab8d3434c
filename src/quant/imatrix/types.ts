/**
 * The importance-matrix data model: for every linear weight (by GGUF name), the per-input-column
 * mean of x² over the calibration activations that reached it — llama.cpp's "imatrix".
 */

/** One weight's statistics. */
export interface ImatrixEntry {
  /**
   * Per-input-column mean of x², `columns` values per matrix. A 2-D weight has one matrix;
   * stacked expert weights (llama.cpp MUL_MAT_ID) have one block of `columns` per expert.
   */
  readonly mean: Float32Array;
  /** K, the weight's input width (GGUF ne0). Legacy files do not say it: there it is mean.length. */
  readonly columns: number;
  /** Matrices (experts) the means are given for; mean.length = columns × matrices. */
  readonly matrices: number;
  /**
   * Activation rows (tokens) behind each matrix's mean, as llama.cpp's GGUF `counts` holds them;
   * undefined when the source does not record tokens (legacy files count calls, see `calls`).
   */
  readonly tokens: Float64Array | undefined;
  /** Legacy files only: the matmul calls (`ncall`) the entry was accumulated over. */
  readonly calls?: number;
}

/** Where the statistics came from. */
export interface ImatrixProvenance {
  /** File the matrix was imported from; undefined when ternpack collected it. */
  readonly sourceFile: string | undefined;
  /** Calibration text file(s) (llama.cpp `imatrix.datasets`, or the legacy trailer's one name). */
  readonly datasets: readonly string[];
  /** Chunks processed (`imatrix.chunk_count`, legacy `last_call`); undefined if unknown. */
  readonly chunkCount: number | undefined;
  /** Tokens per chunk (`imatrix.chunk_size`); undefined if unknown (legacy files do not store it). */
  readonly chunkSize: number | undefined;
  /** Most activation rows behind any entry; undefined when no entry records tokens. */
  readonly tokens: number | undefined;
  /** "legacy" (.dat), "gguf" (llama.cpp's newer GGUF imatrix) or "collected" (ternpack --calib). */
  readonly format: "legacy" | "gguf" | "collected";
}

export interface ImportanceMatrix {
  /** GGUF weight name (e.g. `blk.0.attn_q.weight`) → statistics, in file order. */
  readonly entries: ReadonlyMap<string, ImatrixEntry>;
  readonly provenance: ImatrixProvenance;
}

/**
 * What a forward pass calls for every linear layer it evaluates: `x` holds rows × `columns`
 * input activations (row-major, the layer's input exactly as multiplied by the weight).
 */
export interface ImatrixSink {
  accumulate(name: string, x: Float32Array, columns: number): void;
}
