/**
 * Safety limits of the GGUF parser. A crafted header can declare any count or length; each limit
 * is far above what real files hold, and besides these every declared size must also fit in the
 * bytes the file actually has (checked before anything is allocated).
 */

/** Bytes of one string. The largest real strings are embedded tokenizer JSON blobs of ~20 MB. */
export const MAX_STRING_BYTES = 64 * 1024 * 1024;
/** Elements of one array. The largest real arrays (BPE merges, tokens) hold ~1M entries. */
export const MAX_ARRAY_LENGTH = 16 * 1024 * 1024;
/** KV pairs. Real files have fewer than a few hundred. */
export const MAX_KV_COUNT = 65_536;
/** Tensors. The largest MoE checkpoints have tens of thousands per file. */
export const MAX_TENSOR_COUNT = 1024 * 1024;

/** Smallest possible KV record: empty key (8-byte length) + type (4) + a 1-byte value. */
export const MIN_KV_BYTES = 8 + 4 + 1;
/** Smallest possible tensor info: empty name (8) + n_dims (4) + one dim (8) + type (4) + offset (8). */
export const MIN_TENSOR_INFO_BYTES = 8 + 4 + 8 + 4 + 8;
