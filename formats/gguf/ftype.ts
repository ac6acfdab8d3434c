/**
 * `general.file_type` values (llama_ftype, gguf.md §6). Informational for llama.cpp and not the
 * ggml type id: e.g. MOSTLY_TQ1_0 is 36 while the TQ1_0 tensor type is 34.
 */
export const LLAMA_FTYPE = {
  ALL_F32: 0,
  MOSTLY_F16: 1,
  MOSTLY_Q4_0: 2,
  MOSTLY_Q8_0: 7,
  MOSTLY_IQ2_XXS: 19,
  MOSTLY_IQ1_S: 24,
  MOSTLY_IQ1_M: 31,
  MOSTLY_BF16: 32,
  MOSTLY_TQ1_0: 36,
  MOSTLY_TQ2_0: 37,
  /**
   * bitnet.cpp fork (merge-dev `llama.h`). Upstream later reuses 38 (MXFP4_MOE) and 40
   * (MOSTLY_Q1_0); ternpack writes 40 for I2_S because every released I2_S file does.
   */
  MOSTLY_TL1: 38,
  MOSTLY_TL2: 39,
  MOSTLY_I2_S: 40,
} as const;

export type LlamaFtypeName = keyof typeof LLAMA_FTYPE;
