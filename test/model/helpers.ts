/** Test helpers for the model room: fixture configs, header-only safetensors, reference GGUF summaries. */
import { expect } from "vitest";
import { TernpackError, type ErrorCode } from "../../src/core/errors.js";
import type { ByteSource } from "../../src/core/io.js";
import { openCheckpoint, openSafetensors } from "../../formats/safetensors/index.js";
import { parseModelConfig } from "../../src/model/config.js";
import type { ModelSpec } from "../../src/model/spec.js";
import type { SourceTensor } from "../../src/model/tensor-map.js";
import { fixturePath, readFixture, readJson } from "../helpers/fixtures.js";

export type ModelName =
  | "tinystories-656k"
  | "tinystories-656k-bf16"
  | "bitnet-synth-1bitllm"
  | "bitnet-synth-2b4t-bf16"
  | "bitnet-synth-2b4t-packed";

export function rawConfig(name: string): Record<string, unknown> {
  return readJson("models", name, "config.json");
}

export function specOf(name: string): ModelSpec {
  return parseModelConfig(rawConfig(name), { file: `${name}/config.json` });
}

export interface ReferenceKv {
  key: string;
  type: string;
  value?: unknown;
}

export interface ReferenceTensor {
  name: string;
  type: string;
  ne: number[];
  n_elements: number;
  sha256: string;
}

export interface ReferenceGguf {
  kv: ReferenceKv[];
  tensors: ReferenceTensor[];
}

export function referenceGguf(name: string, file: string): ReferenceGguf {
  return readJson("models", name, "reference", file);
}

/**
 * A ByteSource over a stored header prefix that reports the real file's size, so the safetensors
 * reader validates the header against the file it came from; reading tensor data would fail.
 */
function headerSource(name: string): ByteSource {
  const prefix = readFixture("models", name, "model.safetensors.header");
  const manifest = readJson("models", "manifest.json");
  const size: number = manifest.models[name].files["model.safetensors.header"].source_file_size;
  return {
    name: `${name}/model.safetensors`,
    size,
    async read(offset, length) {
      if (offset + length > prefix.length) throw new Error(`header-only fixture: read at ${offset} past the stored ${prefix.length} bytes`);
      return prefix.subarray(offset, offset + length);
    },
    async close() {},
  };
}

export interface Headers {
  tensors: readonly SourceTensor[];
  aliases: ReadonlyMap<string, string>;
}

/** The safetensors header of a model: the bundled TinyStories file, or a stored header prefix. */
export async function headersOf(name: ModelName): Promise<Headers> {
  const file = name === "tinystories-656k" ? await openCheckpoint(fixturePath("tinystories-656k")) : await openSafetensors(headerSource(name));
  try {
    return { tensors: file.tensors, aliases: file.aliases };
  } finally {
    await file.close();
  }
}

/** Runs `fn` and checks it throws a TernpackError with `code` whose message contains every `parts`. */
export function expectError(fn: () => unknown, code: ErrorCode, ...parts: string[]): TernpackError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(TernpackError);
  const error = caught as TernpackError;
  expect(error.code).toBe(code);
  for (const part of parts) expect(error.message).toContain(part);
  return error;
}
