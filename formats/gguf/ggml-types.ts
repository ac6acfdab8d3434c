/**
 * ggml tensor type ids (gguf.md §4): one table of truth keyed by id with (block size, bytes per
 * block) as in gguf-py's GGML_QUANT_SIZES. Ids 36–42 mean different things upstream and in
 * Microsoft's bitnet.cpp fork (§4.3), so lookups take a flavor.
 */

/** Which runtime's meaning of the context-dependent ids 36–42 applies. Ids 0–35 are the same in both. */
export type GgufFlavor = "upstream" | "bitnet.cpp";

/**
 * Every usable name with its id. Two names share an id where the runtimes disagree
 * (TL2 and MXFP4 are both 39). Removed ids have no name here; see `ggmlTypeInfo`.
 */
export const GGML_TYPE = {
  F32: 0,
  F16: 1,
  Q4_0: 2,
  Q4_1: 3,
  Q5_0: 6,
  Q5_1: 7,
  Q8_0: 8,
  Q8_1: 9,
  Q2_K: 10,
  Q3_K: 11,
  Q4_K: 12,
  Q5_K: 13,
  Q6_K: 14,
  Q8_K: 15,
  IQ2_XXS: 16,
  IQ2_XS: 17,
  IQ3_XXS: 18,
  IQ1_S: 19,
  IQ4_NL: 20,
  IQ3_S: 21,
  IQ2_S: 22,
  IQ4_XS: 23,
  I8: 24,
  I16: 25,
  I32: 26,
  I64: 27,
  F64: 28,
  IQ1_M: 29,
  BF16: 30,
  TQ1_0: 34,
  TQ2_0: 35,
  // bitnet.cpp fork (merge-dev)
  I2_S: 36,
  I8_S: 37,
  TL1: 38,
  TL2: 39,
  // upstream, 2025–2026
  MXFP4: 39,
  NVFP4: 40,
  Q1_0: 41,
  Q2_0: 42,
} as const;

export type GgmlTypeName = keyof typeof GGML_TYPE;

/**
 * How a tensor of this type is sized: the block formula, one of the bitnet.cpp special cases of
 * the fork's `ggml_nbytes`, or not at all (the type cannot appear in a file ternpack accepts).
 */
export type GgmlSizing = "block" | "i2_s" | "tl1" | "tl2" | "none";

export interface GgmlTypeInfo {
  readonly id: number;
  readonly name: string;
  /** Elements per block (1 for plain scalars); 0 when `sizing` is not "block". */
  readonly blockSize: number;
  /** Bytes per block; 0 when `sizing` is not "block". */
  readonly typeSize: number;
  readonly sizing: GgmlSizing;
  /** Why a type with sizing "none" is refused. */
  readonly note?: string;
}

const QK_K = 256;

function block(id: number, name: string, blockSize: number, typeSize: number): GgmlTypeInfo {
  return { id, name, blockSize, typeSize, sizing: "block" };
}

function special(id: number, name: string, sizing: "i2_s" | "tl1" | "tl2"): GgmlTypeInfo {
  return { id, name, blockSize: 0, typeSize: 0, sizing };
}

function refused(id: number, name: string, note: string): GgmlTypeInfo {
  return { id, name, blockSize: 0, typeSize: 0, sizing: "none", note };
}

const REMOVED = "removed from ggml (block size 0; llama.cpp rejects it)";

/** Ids 0–35, identical in both runtimes. */
const SHARED: readonly GgmlTypeInfo[] = [
  block(0, "F32", 1, 4),
  block(1, "F16", 1, 2),
  block(2, "Q4_0", 32, 2 + 16),
  block(3, "Q4_1", 32, 2 + 2 + 16),
  refused(4, "Q4_2", REMOVED),
  refused(5, "Q4_3", REMOVED),
  block(6, "Q5_0", 32, 2 + 4 + 16),
  block(7, "Q5_1", 32, 2 + 2 + 4 + 16),
  block(8, "Q8_0", 32, 2 + 32),
  block(9, "Q8_1", 32, 4 + 4 + 32),
  block(10, "Q2_K", QK_K, 2 + 2 + QK_K / 16 + QK_K / 4),
  block(11, "Q3_K", QK_K, 2 + QK_K / 4 + QK_K / 8 + 12),
  block(12, "Q4_K", QK_K, 2 + 2 + QK_K / 2 + 12),
  block(13, "Q5_K", QK_K, 2 + 2 + QK_K / 2 + QK_K / 8 + 12),
  block(14, "Q6_K", QK_K, 2 + QK_K / 2 + QK_K / 4 + QK_K / 16),
  block(15, "Q8_K", QK_K, 4 + QK_K + QK_K / 8),
  block(16, "IQ2_XXS", QK_K, 2 + QK_K / 4),
  block(17, "IQ2_XS", QK_K, 2 + QK_K / 4 + QK_K / 32),
  block(18, "IQ3_XXS", QK_K, 2 + QK_K / 4 + QK_K / 8),
  block(19, "IQ1_S", QK_K, 2 + QK_K / 8 + QK_K / 16),
  block(20, "IQ4_NL", 32, 2 + 16),
  block(21, "IQ3_S", QK_K, 2 + QK_K / 4 + QK_K / 8 + QK_K / 32 + 4),
  block(22, "IQ2_S", QK_K, 2 + QK_K / 4 + QK_K / 16),
  block(23, "IQ4_XS", QK_K, 2 + 2 + QK_K / 2 + QK_K / 64),
  block(24, "I8", 1, 1),
  block(25, "I16", 1, 2),
  block(26, "I32", 1, 4),
  block(27, "I64", 1, 8),
  block(28, "F64", 1, 8),
  block(29, "IQ1_M", QK_K, QK_K / 8 + QK_K / 16 + QK_K / 32),
  block(30, "BF16", 1, 2),
  refused(31, "Q4_0_4_4", REMOVED),
  refused(32, "Q4_0_4_8", REMOVED),
  refused(33, "Q4_0_8_8", REMOVED),
  block(34, "TQ1_0", QK_K, 2 + 4 * 13),
  block(35, "TQ2_0", QK_K, 2 + 64),
];

const UNVERIFIED = "size not verified for ternpack (gguf.md §4.3)";

const UPSTREAM_TAIL: readonly GgmlTypeInfo[] = [
  refused(36, "IQ4_NL_4_4", REMOVED),
  refused(37, "IQ4_NL_4_8", REMOVED),
  refused(38, "IQ4_NL_8_8", REMOVED),
  block(39, "MXFP4", 32, 1 + 16),
  refused(40, "NVFP4", UNVERIFIED),
  refused(41, "Q1_0", UNVERIFIED),
  refused(42, "Q2_0", UNVERIFIED),
];

const BITNET_TAIL: readonly GgmlTypeInfo[] = [
  special(36, "I2_S", "i2_s"),
  refused(37, "I8_S", "bitnet.cpp runtime activation type, never stored in files"),
  special(38, "TL1", "tl1"),
  special(39, "TL2", "tl2"),
];

const TABLES: Readonly<Record<GgufFlavor, readonly GgmlTypeInfo[]>> = {
  upstream: [...SHARED, ...UPSTREAM_TAIL],
  "bitnet.cpp": [...SHARED, ...BITNET_TAIL],
};

/** First id whose meaning depends on the flavor. */
export const FIRST_CONTEXT_DEPENDENT_TYPE = 36;

/**
 * The type with this id in `flavor`, or undefined for ids neither runtime defines.
 * The default flavor is bitnet.cpp because ternpack uses ids 36–39 only with their bitnet.cpp
 * meaning (upstream 36–38 are removed ids); readers pass the flavor they resolved.
 */
export function ggmlTypeInfo(id: number, flavor: GgufFlavor = "bitnet.cpp"): GgmlTypeInfo | undefined {
  return TABLES[flavor][id];
}

/** "TQ1_0" for 34; `type 99` for ids unknown in `flavor` (for messages and listings). */
export function ggmlTypeName(id: number, flavor: GgufFlavor = "bitnet.cpp"): string {
  return ggmlTypeInfo(id, flavor)?.name ?? `type ${id}`;
}
