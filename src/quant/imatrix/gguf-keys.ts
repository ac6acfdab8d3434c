/** Names llama.cpp's GGUF imatrix files use (tools/imatrix, gguf-py `Keys.IMatrix`). */
export const IMATRIX_KEY = {
  /** ARRAY of STRING: the calibration text files. */
  DATASETS: "imatrix.datasets",
  /** UINT32: chunks processed. */
  CHUNK_COUNT: "imatrix.chunk_count",
  /** UINT32: tokens per chunk (n_ctx / n_parallel). */
  CHUNK_SIZE: "imatrix.chunk_size",
} as const;

/** Value of `general.type` in an imatrix file. */
export const IMATRIX_GENERAL_TYPE = "imatrix";

/** F32 [K, n_mat]: per-column Σx² for each matrix. */
export const SUMS_SUFFIX = ".in_sum2";
/** F32 [1, n_mat]: activation rows (tokens) accumulated into each matrix. */
export const COUNTS_SUFFIX = ".counts";
