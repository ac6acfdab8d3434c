/** Importance matrices: collection from a forward pass, llama.cpp import (legacy and GGUF), GGUF export. */
export type { ImatrixEntry, ImatrixProvenance, ImatrixSink, ImportanceMatrix } from "./types.js";
export { ImatrixCollector, type ImatrixCollectorOptions } from "./collector.js";
export { importLegacyImatrix } from "./legacy.js";
export { importGgufImatrix } from "./gguf-import.js";
export { readImatrix, MAX_LEGACY_IMATRIX_BYTES } from "./read.js";
export { writeGgufImatrix } from "./gguf-write.js";
export { IMATRIX_GENERAL_TYPE, IMATRIX_KEY, COUNTS_SUFFIX, SUMS_SUFFIX } from "./gguf-keys.js";
export { imatrixFor, imatrixForSource, missingImatrixNames, requireImatrix, type ImatrixTarget } from "./lookup.js";
