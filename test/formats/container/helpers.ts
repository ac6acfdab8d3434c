/** Small containers built in memory: one tensor per registered layout, side files, and byte surgery. */
import { createHash } from "node:crypto";
import { bufferSource } from "../../../src/core/io.js";
import { gaussianLike, mulberry32 } from "../../../src/core/prng.js";
import {
  createContainerWriter,
  memorySink,
  openContainer,
  type ContainerFile,
  type ContainerTensorDecl,
  type ContainerWriterOptions,
} from "../../../formats/container/index.js";
import { getLayout, listLayouts } from "../../../formats/layouts/index.js";
import { packCb158 } from "../../../formats/layouts/cb158-pack.js";
import { resolveTlParams } from "../../../formats/layouts/tl-presets.js";
import { quantizeCb158 } from "../../../src/quant/cb158/index.js";

export const SHAPE = [64, 256] as const;

export const OPTIONS: ContainerWriterOptions = {
  model: { architecture: "llama", hfArchitecture: "LlamaForCausalLM", target: "llama.cpp", config: { hidden_size: 256 } },
  provenance: { ternpack: "test", source: "synthetic", method: "absmean", scaleConvention: "test", created: "2026-01-01T00:00:00.000Z" },
  // float tensors deflated too, so that the tests see both kinds of stored blob
  compression: "all",
};

export interface TestTensor {
  decl: ContainerTensorDecl;
  bytes: Uint8Array;
}

function ternaryCodes(n: number, seed: number): Int8Array {
  const rand = mulberry32(seed);
  return Int8Array.from({ length: n }, () => Math.floor(rand() * 3) - 1);
}

/** A [64, 256] tensor of `layout`, packed by the layout itself (CB158 by its quantizer). */
export function layoutTensor(layout: string, seed = 1): TestTensor {
  const l = getLayout(layout);
  const shape = [...SHAPE];
  const params = layout === "tl1" || layout === "tl2" ? { tl: resolveTlParams(layout, shape[0]!, shape[1]!).params } : {};
  const name = `t.${layout}`;
  const values = gaussianLike(shape[0]! * shape[1]!, seed, 0.05);
  let bytes: Uint8Array;
  if (layout === "cb158") bytes = packCb158(quantizeCb158(values, shape, { tensor: name }).tensor);
  else if (l.kind === "ternary") {
    const codes = ternaryCodes(values.length, seed);
    const scales = layout.startsWith("tq") ? Float32Array.from({ length: values.length / 256 }, (_, i) => 0.01 + i / 1000) : Float32Array.of(0.0125);
    bytes = l.pack!({ shape, codes, scales }, params);
  } else bytes = l.encode(values, shape, params);
  return { decl: { name, shape, layout, params, source: `src.${layout}` }, bytes };
}

export const allLayoutTensors = (): TestTensor[] => listLayouts().map((l, i) => layoutTensor(l.name, i + 1));

export const SIDE_FILES = [
  { name: "config.json", role: "config", bytes: new TextEncoder().encode(JSON.stringify({ hidden_size: 256, note: "x".repeat(400) })) },
  { name: "tiny.txt", role: "tokenizer", bytes: new TextEncoder().encode("ab") },
];

export async function buildContainer(tensors: readonly TestTensor[], files = SIDE_FILES, options: ContainerWriterOptions = OPTIONS): Promise<Uint8Array> {
  const sink = memorySink();
  const w = createContainerWriter(sink, options);
  for (const t of tensors) w.declareTensor(t.decl);
  await w.writeHeader();
  for (const f of files) await w.writeFile(f.name, f.role, f.bytes);
  for (const t of tensors) await w.writeTensor(t.decl.name, t.bytes);
  await w.close();
  return sink.bytes();
}

export const open = (bytes: Uint8Array, name = "test.tpk"): Promise<ContainerFile> => openContainer(bufferSource(bytes, name));

/** A copy with byte `at` XORed with `mask`. */
export function flipped(bytes: Uint8Array, at: number, mask = 0x01): Uint8Array {
  const out = bytes.slice();
  out[at]! ^= mask;
  return out;
}

/** Manifest location from the footer (read independently of the reader). */
export function manifestRange(bytes: Uint8Array): { offset: number; length: number } {
  const dv = new DataView(bytes.buffer, bytes.byteOffset + bytes.length - 64, 64);
  return { offset: Number(dv.getBigUint64(0, true)), length: Number(dv.getBigUint64(8, true)) };
}

/** The file with its manifest replaced by `json`, the footer (length, SHA-256) rewritten to match. */
export function withManifestBytes(bytes: Uint8Array, json: Uint8Array): Uint8Array {
  const { offset } = manifestRange(bytes);
  const footer = bytes.slice(bytes.length - 64);
  new DataView(footer.buffer).setBigUint64(8, BigInt(json.length), true);
  footer.set(createHash("sha256").update(json).digest(), 16);
  const out = new Uint8Array(offset + json.length + 64);
  out.set(bytes.subarray(0, offset));
  out.set(json, offset);
  out.set(footer, offset + json.length);
  return out;
}

/** The file with its manifest JSON edited (and the footer made to match). */
export function withManifest(bytes: Uint8Array, edit: (manifest: any) => void): Uint8Array {
  const { offset, length } = manifestRange(bytes);
  const manifest = JSON.parse(new TextDecoder().decode(bytes.subarray(offset, offset + length)));
  edit(manifest);
  return withManifestBytes(bytes, new TextEncoder().encode(JSON.stringify(manifest)));
}

export async function caught(p: Promise<unknown> | (() => unknown)): Promise<any> {
  try {
    await (typeof p === "function" ? p() : p);
  } catch (e) {
    return e;
  }
  throw new Error("expected a failure");
}
