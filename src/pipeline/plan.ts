/**
 * The plan: from headers alone, every output tensor with its layout, GGUF type, exact size and
 * offset, the output files, the KVs, totals and bits per weight. It backs `dryRun`, progress
 * totals and the writer, which re-declares exactly these tensor infos.
 */
import { basename } from "node:path";
import { GGUF_DEFAULT_ALIGNMENT } from "../../formats/gguf/constants.js";
import { ggmlTypeName, type GgufFlavor } from "../../formats/gguf/ggml-types.js";
import { ggmlTensorBytes } from "../../formats/gguf/tensor-bytes.js";
import { getLayout } from "../../formats/layouts/index.js";
import { fail } from "../core/errors.js";
import { countParameters, planTensors, type TensorPlanEntry } from "../model/tensor-map.js";
import { ggufArchitecture } from "../model/spec.js";
import { runtimeWarnings } from "../model/runtime-warnings.js";
import type { Provenance } from "../model/provenance.js";
import { chooseOutput } from "./choose-type.js";
import { conversionMetadata } from "./metadata.js";
import type { ImportanceSource, ResolvedOptions } from "./options.js";
import { layoutShards } from "./shards.js";
import type { ModelSource } from "./source.js";
import type { BitsPerWeight, ConversionPlan, PlannedTensor, PlanTotals } from "./types.js";

export interface PlanInputs {
  source: ModelSource;
  options: ResolvedOptions;
  /** Final output path (a placeholder name is used for dry runs without one). */
  output: string;
  /** See `headEqualsEmbedding` in source.ts; undefined when not compared. */
  headEqualsEmbedding?: boolean;
  metadata?: Provenance;
}

/** How ggml ids 36–42 are read: bitnet.cpp files use the fork's I2_S/TL1/TL2 ids. */
export const flavorOf = (o: ResolvedOptions): GgufFlavor => (o.target === "bitnet.cpp" ? "bitnet.cpp" : "upstream");

function plannedTensor(entry: TensorPlanEntry, index: number, source: ModelSource, o: ResolvedOptions): Omit<PlannedTensor, "shard" | "offset" | "absoluteOffset"> {
  const choice = chooseOutput(entry, o);
  const layout = getLayout(choice.layout);
  const ggmlType = layout.ggmlType ?? fail("UNSUPPORTED_DTYPE", { tensor: entry.gguf, detail: `layout ${layout.name} has no ggml type` });
  const nbytes = ggmlTensorBytes(ggmlType, entry.dims, flavorOf(o));
  const layoutBytes = layout.bytesFor(entry.shape, choice.params);
  if (layoutBytes !== nbytes) {
    fail("TENSOR_INVALID_INFO", { tensor: entry.gguf, detail: `${layout.name} packs ${layoutBytes} bytes, the GGUF size formula gives ${nbytes}` });
  }
  return {
    index,
    name: entry.gguf,
    source: entry.source,
    sources: entry.sources,
    sourceDtype: entry.sourceDtype,
    sourceShape: entry.sourceShape,
    sourceBytes: entry.sources.reduce((sum, name) => sum + (source.checkpoint.get(name)?.byteLength ?? 0), 0),
    role: entry.role,
    shape: entry.shape,
    dims: entry.dims,
    parameters: entry.shape.reduce((n, d) => n * d, 1),
    ...choice,
    ggmlType,
    typeName: ggmlTypeName(ggmlType, flavorOf(o)),
    permute: entry.permute,
    packed: entry.packed,
    nbytes,
  };
}

/** `container`: CB158 tensors count at their packed size (the container stores them so; a GGUF gets their F16 export). */
function totalsOf(tensors: readonly PlannedTensor[], fileBytes: number, container: boolean): PlanTotals {
  const ternary = tensors.filter((t) => t.ternaryLayout);
  const sum = (list: readonly PlannedTensor[], f: (t: PlannedTensor) => number) => list.reduce((s, t) => s + f(t), 0);
  return {
    tensors: tensors.length,
    parameters: sum(tensors, (t) => t.parameters),
    tensorBytes: sum(tensors, (t) => (container && t.cb158 ? t.cb158.packedBytes : t.nbytes)),
    fileBytes,
    sourceBytes: sum(tensors, (t) => t.sourceBytes),
    ternaryTensors: ternary.length,
    ternaryParameters: sum(ternary, (t) => t.parameters),
    ternaryBytes: sum(ternary, (t) => t.nbytes),
    fallbacks: tensors.filter((t) => t.fallback).length,
  };
}

function bitsPerWeight(t: PlanTotals): BitsPerWeight {
  return {
    ternary: t.ternaryParameters > 0 ? (8 * t.ternaryBytes) / t.ternaryParameters : undefined,
    overall: t.parameters > 0 ? (8 * t.tensorBytes) / t.parameters : 0,
  };
}

/** One warning per (wanted → stored) pair, naming the tensors; the reasons are in `plan.fallbacks`. */
function fallbackWarnings(fallbacks: ConversionPlan["fallbacks"]): string[] {
  const groups = new Map<string, string[]>();
  for (const f of fallbacks) {
    const key = `${f.wanted.toUpperCase()} → ${f.layout.toUpperCase()}`;
    groups.set(key, [...(groups.get(key) ?? []), f.tensor]);
  }
  return [...groups].map(([key, names]) => {
    const [wanted, stored] = key.split(" → ");
    return `${names.length} tensor(s) stored as ${stored} instead of ${wanted}, which cannot hold their shapes: ${names.join(", ")}`;
  });
}

function importanceLabel(source: ImportanceSource): string {
  return source.kind === "flat" ? "flat" : `${source.kind}:${basename(source.path)}`;
}

export function buildPlan({ source, options: o, output, headEqualsEmbedding, metadata }: PlanInputs): ConversionPlan {
  const { spec, checkpoint } = source;
  const mapped = planTensors(spec, checkpoint.tensors, { aliases: checkpoint.aliases, headEqualsEmbedding });
  const rows = mapped.entries.map((e, i) => plannedTensor(e, i, source, o));
  const architecture = ggufArchitecture(spec, o.target);
  const kv = conversionMetadata(source, o, {
    parameterCount: countParameters(mapped.entries),
    provenance: metadata,
    tl: rows.filter((r) => r.tl !== undefined).map((r) => ({ tensor: r.name, layout: r.layout, ...r.tl! })),
    cb158: o.cb158 && {
      bpw: o.cb158.bpw,
      importance: importanceLabel(o.cb158.importance),
      tensors: rows.filter((r) => r.cb158 !== undefined).map((r) => ({ tensor: r.name, effectiveBpw: r.cb158!.effectiveBpw })),
    },
  });
  const shards = layoutShards(output, kv, rows, { alignment: GGUF_DEFAULT_ALIGNMENT, flavor: flavorOf(o), splitMaxBytes: o.splitMaxBytes });
  const tensors: PlannedTensor[] = [];
  shards.forEach((shard, s) => {
    shard.layout.tensors.forEach((placed, j) => {
      tensors.push({ ...rows[shard.first + j]!, shard: s, offset: placed.offset, absoluteOffset: shard.dataOffset + placed.offset });
    });
  });
  const fallbacks = tensors.flatMap((t) => (t.fallback ? [{ tensor: t.name, layout: t.layout, ...t.fallback }] : []));
  const totals = totalsOf(tensors, shards.reduce((s, f) => s + f.fileSize, 0), o.format === "tpk");
  const warnings = [
    ...checkpoint.warnings,
    ...mapped.warnings,
    ...runtimeWarnings(spec, o.target),
    ...source.tokenizer.warnings,
    ...fallbackWarnings(fallbacks),
  ];
  return {
    input: checkpoint.indexFile ?? checkpoint.files[0] ?? source.folder,
    format: o.format,
    target: o.target,
    method: o.method,
    layout: o.layout,
    architecture,
    hfArchitecture: spec.hfArchitecture,
    fileType: o.fileType,
    alignment: GGUF_DEFAULT_ALIGNMENT,
    tensors,
    shards: shards.map(({ layout: _layout, ...shard }) => shard),
    skipped: mapped.skipped,
    fallbacks,
    totals,
    bitsPerWeight: bitsPerWeight(totals),
    notes: [...spec.notes],
    warnings,
  };
}
