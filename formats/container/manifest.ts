/**
 * The JSON manifest (SPEC.md §5) and its zod schema. Objects are parsed with zod's default
 * `strip`: fields a later version adds are dropped, not refused (forward compatibility). What a
 * reader must understand to read the file is listed in `required`; an entry this version does not
 * know is refused (UNSUPPORTED_FEATURE) before the rest of the schema is applied.
 */
import { z } from "zod";
import { fail } from "../../src/core/errors.js";
import { listLayouts } from "../layouts/registry.js";
import { COMPRESSIONS, CONTAINER_VERSION, layoutFeature, MANIFEST_FORMAT } from "./constants.js";

const count = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const positive = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const sha256 = z.string().regex(/^[0-9a-f]{64}$/, "64 lowercase hex digits");

/** Where a blob is and how it is stored (SPEC.md §3). */
const blob = {
  /** Absolute file offset of the stored bytes, a multiple of 64. */
  offset: count,
  /** Bytes after decompression (for a tensor: exactly the layout's size of its shape). */
  length: count,
  /** Bytes in the file. */
  storedLength: count,
  compression: z.enum(COMPRESSIONS),
  /** SHA-256 of the stored bytes. */
  sha256,
};

const tlParams = z.object({ BM: positive, BK: positive, bm: positive });

export const tensorEntrySchema = z.object({
  name: z.string().min(1),
  /** Logical PyTorch shape: [rows, cols] = (out_features, in_features), or [n]. */
  shape: z.array(count).min(1),
  /** Layout name in the registry (formats/layouts). */
  layout: z.string().min(1),
  /** Layout parameters: TL1/TL2 tiling, CB158 target bits per weight. */
  params: z.object({ tl: tlParams.optional(), bpw: z.number().positive().optional() }).default({}),
  /** Codebook used by the tensor (an id in `codebooks`), CB158 only. */
  codebook: z.string().optional(),
  /** Checkpoint tensor the data came from. */
  source: z.string().optional(),
  /**
   * Rows reordered from the checkpoint's by llama.cpp's q/k permutation with this many heads (in
   * every head of hd rows, row 2i + j is the checkpoint's row j·hd/2 + i); absent: checkpoint order.
   */
  permute: z.object({ heads: positive }).optional(),
  ...blob,
});

export const fileEntrySchema = z.object({
  /** File name (no folders), e.g. "tokenizer.json". */
  name: z.string().min(1).regex(/^[^/\\]+$/, "a plain file name"),
  /** What the file is for: "config", "tokenizer", "generation-config", "gguf-metadata", ... */
  role: z.string().min(1),
  ...blob,
});

export const codebookSchema = z.object({
  id: z.string().min(1),
  layout: z.string().min(1),
  /** "builtin": fixed by the layout's spec (stored nowhere); "tensor": stored inside each tensor's payload. */
  storage: z.enum(["builtin", "tensor"]),
  description: z.string().optional(),
});

export const provenanceSchema = z.object({
  ternpack: z.string(),
  source: z.string(),
  method: z.string(),
  scaleConvention: z.string(),
  /** ISO 8601 UTC time of writing (SOURCE_DATE_EPOCH when set). */
  created: z.string(),
});

export const modelSchema = z.object({
  /** GGUF general.architecture. */
  architecture: z.string(),
  hfArchitecture: z.string().optional(),
  /** Runtime the conversion was planned for ("llama.cpp" | "bitnet.cpp"); fixes how GGUF export reads ggml ids. */
  target: z.string().optional(),
  /** The model's config.json, as parsed JSON. */
  config: z.record(z.string(), z.unknown()).optional(),
});

export const manifestSchema = z.object({
  format: z.literal(MANIFEST_FORMAT),
  version: z.literal(CONTAINER_VERSION),
  required: z.array(z.string()),
  model: modelSchema,
  files: z.array(fileEntrySchema),
  tensors: z.array(tensorEntrySchema),
  codebooks: z.array(codebookSchema).default([]),
  provenance: provenanceSchema,
});

export type ContainerManifest = z.infer<typeof manifestSchema>;
export type ContainerTensorEntry = z.infer<typeof tensorEntrySchema>;
export type ContainerFileEntry = z.infer<typeof fileEntrySchema>;
export type ContainerCodebook = z.infer<typeof codebookSchema>;
export type ContainerModel = z.infer<typeof modelSchema>;
export type ContainerProvenance = z.infer<typeof provenanceSchema>;
export type BlobEntry = ContainerTensorEntry | ContainerFileEntry;

/** Every required feature this version understands: each compression codec but "none", each registered layout. */
export function knownFeatures(): Set<string> {
  return new Set([...COMPRESSIONS.filter((c) => c !== "none"), ...listLayouts().map((l) => layoutFeature(l.name))]);
}

/** The features a manifest must list in `required` (what the writer puts there). */
export function requiredFeatures(tensors: readonly { layout: string; compression: string }[], files: readonly { compression: string }[]): string[] {
  const features = new Set<string>();
  for (const t of tensors) features.add(layoutFeature(t.layout));
  for (const b of [...tensors, ...files]) if (b.compression !== "none") features.add(b.compression);
  return [...features].sort();
}

const decoder = new TextDecoder("utf-8", { fatal: true });

/** Manifest bytes → validated manifest; `offset` is where they start in `file` (for messages). */
export function parseManifest(bytes: Uint8Array, file: string, offset: number): ContainerManifest {
  let json: unknown;
  try {
    json = JSON.parse(decoder.decode(bytes));
  } catch (cause) {
    fail(cause instanceof TypeError ? "INVALID_UTF8" : "INVALID_JSON", { file, offset, detail: `manifest: ${(cause as Error).message}`, cause });
  }
  const required = (json as { required?: unknown } | null)?.required;
  if (Array.isArray(required)) {
    const known = knownFeatures();
    const unknown = required.filter((f) => typeof f === "string" && !known.has(f));
    if (unknown.length > 0) {
      fail("UNSUPPORTED_FEATURE", { file, detail: `the file requires ${unknown.map((f) => JSON.stringify(f)).join(", ")}, which this ternpack does not know (it knows ${[...known].sort().join(", ")}); upgrade ternpack to read it` });
    }
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    fail("INVALID_HEADER", { file, offset, detail: `manifest.${issue.path.join(".")}: ${issue.message}` });
  }
  return parsed.data;
}
