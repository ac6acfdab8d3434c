/**
 * Fixed numbers of the ternpack container (SPEC.md §2–§4): magics, version, the sizes of the
 * fixed header and footer, and the blob alignment.
 */

/** First 8 bytes: 0x89 "TPK" CR LF 0x1A LF (PNG's trick: catches 7-bit and newline-mangling transfers). */
export const HEADER_MAGIC = Uint8Array.of(0x89, 0x54, 0x50, 0x4b, 0x0d, 0x0a, 0x1a, 0x0a);
/** Last 8 bytes: "TPK-END\n"; missing means the file is truncated or was never finished. */
export const FOOTER_MAGIC = Uint8Array.of(0x54, 0x50, 0x4b, 0x2d, 0x45, 0x4e, 0x44, 0x0a);

export const CONTAINER_VERSION = 1;
export const HEADER_BYTES = 64;
export const FOOTER_BYTES = 64;
/** Every blob starts at a multiple of this (cache line, AVX-512 loads; a multiple of GGUF's 32). */
export const BLOB_ALIGNMENT = 64;

/** Largest manifest a reader accepts (the tokenizer and KVs are side files, so real manifests are KBs). */
export const MAX_MANIFEST_BYTES = 64 * 1024 * 1024;

/** `manifest.format`. */
export const MANIFEST_FORMAT = "ternpack.container";

/** Compression codecs a blob may use; every codec other than "none" is also a required feature. */
export const COMPRESSIONS = ["none", "deflate"] as const;
export type Compression = (typeof COMPRESSIONS)[number];

/** The required-feature name of a layout. */
export const layoutFeature = (layout: string): string => `layout:${layout}`;
