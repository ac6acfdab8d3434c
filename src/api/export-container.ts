/**
 * `exportContainer`: a ternpack container to
 * - "gguf": the file a direct `convert` to GGUF with the same options writes, byte for byte: the
 *   KVs of its `gguf-metadata.gguf` side file, then every tensor in container order — layouts with
 *   a ggml type as stored, CB158 tensors dequantized by the reference kernel and written as F16
 *   (what the GGUF conversion exports them as; the kernel's Ŵ is the quantizer's reconstruction bit
 *   for bit, the convert step checks that);
 * - "safetensors": every tensor dequantized (kernels for packed layouts) to F32 (default) or F16 in
 *   [out, in] shapes, under the container's (GGUF) names with q/k rows as stored (llama.cpp's order),
 *   or with `names: "source"` under the checkpoint's names in its row order, so that the file
 *   stands in for the original model.safetensors (next to the container's config.json).
 * Every blob's checksum is verified as it is read. Both outputs are written atomically.
 */
import { fail } from "../core/errors.js";
import { encodeHalves } from "../core/half.js";
import { withFileSource } from "../core/io.js";
import { openContainer, type ContainerFile, type ContainerTensorEntry } from "../../formats/container/index.js";
import { writeGgufFile, type GgufTensorInput } from "../../formats/gguf/write-file.js";
import { getLayout } from "../../formats/layouts/index.js";
import { writeSafetensors, type TensorToWrite } from "../../formats/safetensors/writer.js";
import { readContainerMetadata } from "./container-metadata.js";
import { checkpointRowOrder, dequantizeContainerTensor } from "./container-tensors.js";

export interface ExportContainerOptions {
  to: "gguf" | "safetensors";
  output: string;
  /** safetensors only: the dtype of every exported tensor (default "f32"). */
  dtype?: "f32" | "f16";
  /** safetensors only: "stored" (default) the container's names and rows; "source" the checkpoint's. */
  names?: "stored" | "source";
}

export interface ExportContainerResult {
  file: string;
  format: "gguf" | "safetensors";
  tensors: number;
  /** Tensors that were dequantized (GGUF: CB158 → F16; safetensors: every non-float tensor). */
  dequantized: number;
}

/** The GGUF type of a container tensor: the layout's own, or F16 for layouts GGUF cannot hold (CB158). */
function ggufTensor(c: ContainerFile, t: ContainerTensorEntry): GgufTensorInput & { dequantize: boolean } {
  const type = getLayout(t.layout).ggmlType;
  const dims = [...t.shape].reverse();
  if (type !== undefined) return { name: t.name, type, dims, dequantize: false, data: () => c.readTensor(t.name) };
  const f16 = getLayout("f16");
  return { name: t.name, type: f16.ggmlType!, dims, dequantize: true, data: async () => f16.encode(dequantizeContainerTensor(t, await c.readTensor(t.name)), t.shape) };
}

async function toGguf(c: ContainerFile, output: string): Promise<ExportContainerResult> {
  const meta = await readContainerMetadata(c);
  const tensors = c.manifest.tensors.map((t) => ggufTensor(c, t));
  const flavor = c.manifest.model.target === "bitnet.cpp" ? "bitnet.cpp" : "upstream";
  await writeGgufFile(output, { kv: meta.kv, tensors }, { alignment: meta.alignment, flavor });
  return { file: output, format: "gguf", tensors: tensors.length, dequantized: tensors.filter((t) => t.dequantize).length };
}

/** The checkpoint name of every tensor; USAGE when one is unknown or the checkpoint held packed weights. */
function sourceNames(c: ContainerFile): Map<string, string> {
  if (c.manifest.model.config?.quantization_config !== undefined) {
    fail("USAGE", { file: c.source.name, detail: 'names "source": the checkpoint held HF-packed ternary weights under those names; export with the stored names' });
  }
  const names = new Map<string, string>();
  const used = new Set<string>();
  for (const t of c.manifest.tensors) {
    const source = t.source ?? fail("USAGE", { file: c.source.name, tensor: t.name, detail: 'names "source": the container does not record the checkpoint tensor' });
    if (used.has(source)) fail("USAGE", { file: c.source.name, tensor: t.name, detail: `names "source": '${source}' is the source of two tensors` });
    names.set(t.name, source);
    used.add(source);
  }
  return names;
}

async function toSafetensors(c: ContainerFile, output: string, dtype: "f32" | "f16", names: "stored" | "source"): Promise<ExportContainerResult> {
  const renamed = names === "source" ? sourceNames(c) : undefined;
  // Each tensor is read, dequantized and encoded when the writer reaches it: one at a time in memory.
  const tensors: TensorToWrite[] = c.manifest.tensors.map((t) => ({
    name: renamed?.get(t.name) ?? t.name,
    dtype: dtype === "f16" ? "F16" : "F32",
    shape: t.shape,
    data: async () => {
      const decoded = dequantizeContainerTensor(t, await c.readTensor(t.name));
      const values = renamed ? checkpointRowOrder(t, decoded) : decoded;
      return dtype === "f16" ? encodeHalves(values, "f16") : new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
    },
  }));
  const dequantized = c.manifest.tensors.filter((t) => getLayout(t.layout).kind !== "float").length;
  const p = c.manifest.provenance;
  await writeSafetensors(output, tensors, { format: "pt", "ternpack.version": p.ternpack, "ternpack.source": p.source, "ternpack.method": p.method, "ternpack.exported_from": "tpk" });
  return { file: output, format: "safetensors", tensors: tensors.length, dequantized };
}

export async function exportContainer(path: string, options: ExportContainerOptions): Promise<ExportContainerResult> {
  if (options.to !== "gguf" && options.to !== "safetensors") fail("USAGE", { detail: `to must be "gguf" or "safetensors"; got ${JSON.stringify(options.to)}` });
  if (typeof options.output !== "string" || options.output === "") fail("USAGE", { detail: "output (the file to write) is required" });
  const dtype = options.dtype ?? "f32";
  if (dtype !== "f32" && dtype !== "f16") fail("USAGE", { detail: `dtype must be "f32" or "f16"; got ${JSON.stringify(dtype)}` });
  const names = options.names ?? "stored";
  if (names !== "stored" && names !== "source") fail("USAGE", { detail: `names must be "stored" or "source"; got ${JSON.stringify(names)}` });
  if (options.to === "gguf" && (options.dtype !== undefined || options.names !== undefined)) {
    fail("USAGE", { detail: "dtype and names apply to safetensors export; a GGUF export keeps the stored types and names" });
  }
  return withFileSource(path, async (file) => {
    const c = await openContainer(file);
    return options.to === "gguf" ? toGguf(c, options.output) : toSafetensors(c, options.output, dtype, names);
  });
}
