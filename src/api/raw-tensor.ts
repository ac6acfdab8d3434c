/**
 * Packing and unpacking raw tensors (int8 ternary codes or float32 values, row-major [M, K]) with
 * any registered layout: the library side of `ternpack pack` / `ternpack unpack`, for debugging
 * and for other toolchains.
 */
import { readFile } from "node:fs/promises";
import { writeFileAtomically } from "../core/atomic-file.js";
import { TernpackError } from "../core/errors.js";
import { getLayout, type Layout, type LayoutParams, type TernaryTensor, type TlParams } from "../../formats/layouts/index.js";
import { blockScalesFromTensorScale } from "../../formats/layouts/tq-layout.js";
import { resolveTlParams, type TlParamsSource } from "../../formats/layouts/tl-presets.js";

export interface RawLayoutOptions {
  layout: string;
  /** [M, K]: rows (out_features) and row length (in_features). */
  shape: [number, number];
  /** TL1/TL2 tiling; when absent a bitnet.cpp preset or the documented rule is used (and reported). */
  tl?: TlParams;
}

export interface ResolvedLayout {
  layout: Layout;
  params: LayoutParams;
  /** Where the TL parameters came from, for TL layouts. */
  tlSource?: TlParamsSource;
}

/** Looks the layout up and resolves its parameters for `shape`; checks the shape fits. */
export function resolveLayout({ layout: name, shape, tl }: RawLayoutOptions): ResolvedLayout {
  const layout = getLayout(name);
  const [M, K] = shape;
  let resolved: ResolvedLayout = { layout, params: {} };
  if (layout.name === "tl1" || layout.name === "tl2") {
    const r = resolveTlParams(layout.name, M, K, tl);
    resolved = { layout, params: { tl: r.params }, tlSource: r.source };
  } else if (tl) {
    throw new TernpackError("USAGE", { detail: `--tl applies to tl1/tl2 only, not ${layout.name}` });
  }
  layout.check(shape, resolved.params);
  return resolved;
}

function ternaryLayout(layout: Layout): Required<Pick<Layout, "pack" | "unpack">> & Layout {
  if (!layout.pack || !layout.unpack) {
    throw new TernpackError("USAGE", {
      detail: `${layout.name} is not a ternary layout; use float input (--input-f32) or float output (--output-f32)`,
    });
  }
  return layout as Required<Pick<Layout, "pack" | "unpack">> & Layout;
}

/** The scales a layout stores for codes with one per-tensor multiplier σ. */
function scalesFor(layout: Layout, codes: Int8Array, shape: readonly number[], sigma: number): Float32Array {
  return layout.name.startsWith("tq") ? blockScalesFromTensorScale(codes, shape, sigma) : Float32Array.of(sigma);
}

export interface PackResult extends ResolvedLayout {
  bytes: Uint8Array;
}

/** Packs ternary codes with a per-tensor multiplier σ (`scale`, default 1). */
export function packCodes(codes: Int8Array, opts: RawLayoutOptions & { scale?: number }, resolved = resolveLayout(opts)): PackResult {
  const layout = ternaryLayout(resolved.layout);
  const tensor: TernaryTensor = { shape: opts.shape, codes, scales: scalesFor(layout, codes, opts.shape, opts.scale ?? 1) };
  return { ...resolved, bytes: layout.pack(tensor, resolved.params) };
}

/** Quantizes float32 values the way the layout's reference implementation does. */
export function packFloats(values: Float32Array, opts: RawLayoutOptions, resolved = resolveLayout(opts)): PackResult {
  return { ...resolved, bytes: resolved.layout.encode(values, opts.shape, resolved.params) };
}

export function unpackCodes(bytes: Uint8Array, opts: RawLayoutOptions, resolved = resolveLayout(opts)): ResolvedLayout & { tensor: TernaryTensor } {
  return { ...resolved, tensor: ternaryLayout(resolved.layout).unpack(bytes, opts.shape, resolved.params) };
}

export function unpackFloats(bytes: Uint8Array, opts: RawLayoutOptions, resolved = resolveLayout(opts)): ResolvedLayout & { values: Float32Array } {
  return { ...resolved, values: resolved.layout.decode(bytes, opts.shape, resolved.params) };
}

async function readInput(path: string): Promise<Uint8Array> {
  try {
    const buf = await readFile(path);
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  } catch (cause) {
    throw new TernpackError("IO_ERROR", { file: path, detail: (cause as Error).message, cause });
  }
}

function expectLength(path: string, actual: number, expected: number, what: string): void {
  if (actual !== expected) {
    throw new TernpackError("SHAPE_MISMATCH", { file: path, detail: `${what}: expected ${expected} bytes, file has ${actual}` });
  }
}

/** Copies the bytes so typed views are aligned. */
function view<T>(bytes: Uint8Array, make: (buf: ArrayBuffer) => T): T {
  return make(bytes.slice().buffer);
}

export interface PackFileOptions extends RawLayoutOptions {
  scale?: number;
  /** The input holds float32 values to quantize, not int8 codes. */
  inputF32?: boolean;
}

export async function packFile(input: string, output: string, opts: PackFileOptions): Promise<PackResult> {
  const resolved = resolveLayout(opts); // options are checked before any input is read
  const raw = await readInput(input);
  const n = opts.shape[0] * opts.shape[1];
  let result: PackResult;
  if (opts.inputF32) {
    expectLength(input, raw.length, n * 4, `float32 [${opts.shape}]`);
    result = packFloats(view(raw, (b) => new Float32Array(b)), opts, resolved);
  } else {
    expectLength(input, raw.length, n, `int8 codes [${opts.shape}]`);
    result = packCodes(view(raw, (b) => new Int8Array(b)), opts, resolved);
  }
  await writeFileAtomically(output, (sink) => sink.write(result.bytes));
  return result;
}

export interface UnpackFileResult extends ResolvedLayout {
  scales: Float32Array;
  elements: number;
}

export async function unpackFile(input: string, output: string, opts: RawLayoutOptions & { outputF32?: boolean }): Promise<UnpackFileResult> {
  const resolved = resolveLayout(opts);
  const raw = await readInput(input);
  expectLength(input, raw.length, resolved.layout.bytesFor(opts.shape, resolved.params), `${resolved.layout.name} [${opts.shape}]`);
  if (opts.outputF32) {
    const r = unpackFloats(raw, opts, resolved);
    await writeFileAtomically(output, (sink) => sink.write(new Uint8Array(r.values.buffer)));
    return { ...r, scales: new Float32Array(0), elements: r.values.length };
  }
  const r = unpackCodes(raw, opts, resolved);
  await writeFileAtomically(output, (sink) => sink.write(new Uint8Array(r.tensor.codes.buffer, r.tensor.codes.byteOffset, r.tensor.codes.length)));
  return { ...r, scales: r.tensor.scales, elements: r.tensor.codes.length };
}
