/**
 * What validating one file for publishing yields, and the table that picks a validator by file
 * kind. Adding a kind (the ternpack container, `.tpk`) is one entry in `FILE_KINDS`.
 */
import { extname } from "node:path";
import { fail } from "../core/errors.js";
import type { VerifyGgufOptions } from "../api/verify-gguf.js";
import { validateContainerFile } from "./validate-container.js";
import { validateGgufFile } from "./validate-gguf.js";

/** One check that passed, for the card's verification section. */
export interface FileCheck {
  name: string;
  detail: string;
}

/** Model-level facts a card states, as the file records them; any may be unknown. */
export interface ModelFacts {
  name?: string;
  architecture?: string;
  /** e.g. "ternpack 0.1.0". */
  quantizedBy?: string;
  license?: string;
  /** Hub repo id of the model the file was converted from. */
  baseModel?: string;
  contextLength?: number;
  /** Set when the weights were quantized with CB158: its settings, in words. */
  cb158?: string;
  /** Where TL1/TL2 tilings came from, one line per layout. */
  tiling: string[];
}

export interface ValidatedFile {
  path: string;
  /** Key of FILE_KINDS, e.g. ".gguf". */
  kind: string;
  size: number;
  /** The file's quantization label when it holds no ternary tensors: "CB158-F16", "F16", "Q8_0", … */
  label: string;
  /** Ternary layouts the tensors use (lower case), e.g. ["tq2_0"]; a split model's shards may differ. */
  layouts: string[];
  tensorCount: number;
  weightCount: number;
  /** 8 · bytes / weights over every tensor. */
  bitsPerWeight: number;
  /** The same over the ternary tensors only (undefined without any). */
  ternaryBitsPerWeight: number | undefined;
  /** A shard of a split model: its index (0-based), the shard count, the tensor total of the model. */
  split?: { index: number; count: number; tensors: number };
  /** Model facts; undefined for a shard after the first (it carries no model KVs). */
  facts: ModelFacts | undefined;
  checks: FileCheck[];
}

export interface ValidateFileOptions {
  /** Passed on to the re-verification of ternary tensors (e.g. `source` to compare with the source weights). */
  verify?: VerifyGgufOptions;
}

/** Re-reads a file completely and throws a TernpackError naming the file when anything is wrong. */
export type FileValidator = (path: string, options: ValidateFileOptions) => Promise<ValidatedFile>;

/** File kinds `prepublish` accepts, by file name extension (lower case). */
export const FILE_KINDS: Record<string, FileValidator> = {
  ".gguf": validateGgufFile,
  ".tpk": validateContainerFile,
};

export function fileKind(path: string): string | undefined {
  const ext = extname(path).toLowerCase();
  return Object.hasOwn(FILE_KINDS, ext) ? ext : undefined;
}

export async function validateFile(path: string, options: ValidateFileOptions = {}): Promise<ValidatedFile> {
  const kind = fileKind(path);
  if (kind === undefined) fail("UNKNOWN_FORMAT", { file: path, detail: `publish takes ${Object.keys(FILE_KINDS).join(", ")} files` });
  return FILE_KINDS[kind]!(path, options);
}
