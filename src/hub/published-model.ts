/**
 * Validated files sorted into the models they make up: a single file is a model, split shards are
 * grouped by their local name (`<stem>-0000k-of-0000N`) and checked to be exactly shards 1…N of
 * one model. A model's label, layouts, method and scale convention come from all its shards (a
 * shard may hold only the embeddings); its recorded facts from the first shard.
 */
import { fail } from "../core/errors.js";
import { parseShardName } from "../../formats/gguf/index.js";
import type { ModelFacts, ValidatedFile } from "./validated-file.js";

export interface PublishedModel {
  /** The Hub quantization label: the ternary layouts ("TQ2_0"), else the file's own label ("CB158-F16", "F16"). */
  label: string;
  layouts: string[];
  /** "absmean" | "cb158" | "none" (no ternary tensors, no CB158). */
  method: string;
  /** One line per layout: how the scales are stored, and where a TL tiling came from. */
  scaleConvention: string[];
  facts: ModelFacts | undefined;
  /** Shards in order (one file for an unsplit model). */
  files: ValidatedFile[];
}

/** How each ternary layout stores the absmean scale σ (W ≈ σ·t). */
const STORED_SCALE: Record<string, string> = {
  tq1_0: "per-tensor absmean σ = mean|W| written as every 256-weight block's f16 scale d (0 in all-zero blocks); W ≈ d·t",
  tq2_0: "per-tensor absmean σ = mean|W| written as every 256-weight block's f16 scale d (0 in all-zero blocks); W ≈ d·t",
  i2_s: "per-tensor absmean σ = mean|W| as one f32 after the packed codes; W ≈ σ·t",
  tl1: "per-tensor absmean σ = mean|W| as one f32 after the packed tiles; W ≈ σ·t",
  tl2: "per-tensor absmean σ = mean|W| as one f32 after the packed tiles; W ≈ σ·t",
};

/** Shards group by their name without the shard suffix (and by their count); other files stand alone. */
function groupKey(f: ValidatedFile): string {
  const shard = f.split ? parseShardName(f.path) : undefined;
  return shard ? `${shard.stem}${shard.ext}#${f.split!.count}` : f.path;
}

/** USAGE / INVALID_VALUE unless `shards` are exactly 1…N of one model. */
function checkComplete(shards: readonly ValidatedFile[]): void {
  const first = shards[0]!;
  if (!first.split) return;
  const { count, tensors } = first.split;
  const seen = new Map<number, string>();
  for (const f of shards) {
    const s = f.split!;
    if (s.tensors !== tensors) fail("INVALID_VALUE", { file: f.path, tensor: "split.tensors.count", detail: `${s.tensors}, other shards of the model say ${tensors}` });
    const twin = seen.get(s.index);
    if (twin !== undefined) fail("USAGE", { file: f.path, detail: `shard ${s.index + 1} of ${count} is given twice (also ${twin})` });
    seen.set(s.index, f.path);
  }
  const missing = Array.from({ length: count }, (_, i) => i).filter((i) => !seen.has(i));
  if (missing.length > 0) {
    fail("USAGE", { file: first.path, detail: `split model is incomplete: shard(s) ${missing.map((i) => i + 1).join(", ")} of ${count} not given` });
  }
  const total = shards.reduce((a, f) => a + f.tensorCount, 0);
  if (total !== tensors) fail("INVALID_VALUE", { file: first.path, tensor: "split.tensors.count", detail: `the shards hold ${total} tensors, split.tensors.count says ${tensors}` });
}

function describeModel(shards: ValidatedFile[]): PublishedModel {
  const layouts = [...new Set(shards.flatMap((f) => f.layouts))];
  const facts = shards[0]!.facts;
  const cb158 = facts?.cb158 !== undefined || layouts.includes("cb158");
  const scales = cb158 ? [] : layouts.map((l) => `${l.toUpperCase()}: ${STORED_SCALE[l] ?? "see the layout's specification"}`);
  return {
    label: layouts.length > 0 ? layouts.map((l) => l.toUpperCase()).join("-") : shards[0]!.label,
    layouts,
    method: cb158 ? "cb158" : layouts.length > 0 ? "absmean" : "none",
    scaleConvention: [...scales, ...(facts?.tiling ?? [])],
    facts,
    files: shards,
  };
}

export function groupModels(files: readonly ValidatedFile[]): PublishedModel[] {
  const groups = new Map<string, ValidatedFile[]>();
  for (const f of files) groups.set(groupKey(f), [...(groups.get(groupKey(f)) ?? []), f]);
  return [...groups.values()].map((shards) => {
    checkComplete(shards);
    return describeModel([...shards].sort((a, b) => (a.split?.index ?? 0) - (b.split?.index ?? 0)));
  });
}
