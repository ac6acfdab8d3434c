/** The conversion's result: per-tensor reports (type, layout, size, fallback, verification, statistics) and totals. */
import type { TlParams } from "../../formats/layouts/types.js";
import type { TernaryStats } from "../quant/stats.js";
import type { VerifyResult } from "../verify/types.js";
import { cb158Totals, type Cb158TensorReport, type Cb158Totals } from "./cb158-report.js";
import type { BitsPerWeight, CodeSource, ConversionPlan, PlannedTensor, PlanTotals, TensorJob } from "./types.js";

export interface TensorReport {
  /** GGUF name. */
  name: string;
  source: string;
  /** ggml type name, e.g. "TQ2_0". */
  ggufType: string;
  layout: string;
  /** Logical PyTorch shape [out, in] or [n]; `dims` is the GGUF order (ne0 first). */
  shape: readonly number[];
  dims: readonly number[];
  bytes: number;
  shard: number;
  offset: number;
  /** Why the tensor is not in the planned ternary layout, when it fell back. */
  fallbackReason: string | undefined;
  tl: { params: TlParams; source: string } | undefined;
  /** How the codes were obtained, for ternarized tensors. */
  codeSource: CodeSource | undefined;
  /** Per-tensor σ of ternarized tensors. */
  sigma: number | undefined;
  /** Reference-kernel verification (ternary layouts, unless verify is false). */
  verification: VerifyResult | undefined;
  /** Code statistics (ternarized tensors; relativeError when the source held float weights). */
  stats: TernaryStats | undefined;
  /** method "cb158": size and quality of the CB158 quantization this tensor's F16 reconstruction came from. */
  cb158: Cb158TensorReport | undefined;
}

export interface ConvertResult {
  dryRun: boolean;
  plan: ConversionPlan;
  /** Files written (final paths), empty for a dry run. */
  files: string[];
  tensors: TensorReport[];
  totals: PlanTotals;
  bitsPerWeight: BitsPerWeight;
  /** Tensors that passed the reference-kernel verification (CB158 tensors: the bit-exact decode check). */
  verified: number;
  /** method "cb158": model-level totals (and the tensors kept at keepType); undefined otherwise. */
  cb158: Cb158Totals | undefined;
  warnings: string[];
  /** Worker threads used (0 = the main thread). */
  workers: number;
  elapsedMs: number;
}

function tensorReport(t: PlannedTensor, job: TensorJob | undefined): TensorReport {
  return {
    name: t.name,
    source: t.source,
    ggufType: t.typeName,
    layout: t.layout,
    shape: t.shape,
    dims: t.dims,
    bytes: t.nbytes,
    shard: t.shard,
    offset: t.offset,
    fallbackReason: t.fallback?.reason,
    tl: t.tl,
    codeSource: job?.codeSource,
    sigma: job?.sigma,
    verification: job?.verification,
    stats: job?.stats,
    cb158: job?.cb158,
  };
}

/** CB158 totals over `tensors`; every other 2-D tensor is reported as kept (embeddings, head, fallbacks). */
function cb158Summary(plan: ConversionPlan, tensors: readonly TensorReport[]): Cb158Totals | undefined {
  const bpw = plan.tensors.find((t) => t.cb158)?.cb158?.bpw;
  if (plan.method !== "cb158" || bpw === undefined) return undefined;
  const rows = plan.tensors.map((t, i) => ({ name: t.name, parameters: t.parameters, bytes: t.nbytes, cb158: tensors[i]!.cb158, planned: t.cb158, dims: t.shape.length }));
  return cb158Totals(
    bpw,
    rows.filter((r) => r.planned),
    rows.filter((r) => !r.planned && r.dims === 2),
  );
}

export interface ResultFacts {
  dryRun: boolean;
  written: readonly TensorJob[];
  warnings: readonly string[];
  workers: number;
  startedAt: number;
  /** Size of the file actually written when the plan cannot know it (a container with deflated blobs). */
  fileBytes?: number;
}

export function conversionResult(plan: ConversionPlan, facts: ResultFacts): ConvertResult {
  const byName = new Map(facts.written.map((j) => [j.tensor.name, j]));
  const tensors = plan.tensors.map((t) => tensorReport(t, byName.get(t.name)));
  return {
    dryRun: facts.dryRun,
    plan,
    files: facts.dryRun ? [] : plan.shards.map((s) => s.path),
    tensors,
    totals: facts.fileBytes === undefined ? plan.totals : { ...plan.totals, fileBytes: facts.fileBytes },
    bitsPerWeight: plan.bitsPerWeight,
    verified: tensors.filter((t) => t.verification?.ok || t.cb158).length,
    cb158: facts.dryRun ? undefined : cb158Summary(plan, tensors),
    warnings: [...plan.warnings, ...facts.warnings],
    workers: facts.workers,
    elapsedMs: performance.now() - facts.startedAt,
  };
}
