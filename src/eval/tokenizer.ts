/**
 * `encode(text)` for SentencePiece-style BPE `tokenizer.json` files (TinyStories, Llama-2 style:
 * byte_fallback, "▁" for spaces), reproducing Hugging Face tokenizers' ids: the normalizer
 * (Sequence of Prepend / Replace), no pre-tokenizer (the whole text is one word), then BPE:
 * characters (unknown ones as `<0xNN>` byte tokens) merged lowest merge rank first, leftmost on
 * ties, until no ranked pair is left. BOS is prepended when asked. Special-token strings inside
 * the text are not parsed (evaluation text is plain text).
 */
import { fail } from "../core/errors.js";
import { readTokenizerJson } from "../model/tokenizer/hf-tokenizer-json.js";

type Normalize = (s: string) => string;

function normalizerOf(n: Record<string, unknown> | undefined): Normalize {
  if (n === undefined) return (s) => s;
  const type = n["type"];
  if (type === "Sequence" && Array.isArray(n["normalizers"])) {
    const steps = (n["normalizers"] as Record<string, unknown>[]).map(normalizerOf);
    return (s) => steps.reduce((acc, f) => f(acc), s);
  }
  if (type === "Prepend" && typeof n["prepend"] === "string") {
    const p = n["prepend"];
    return (s) => (s.length === 0 ? s : p + s);
  }
  const pattern = n["pattern"] as Record<string, unknown> | undefined;
  if (type === "Replace" && typeof pattern?.["String"] === "string" && typeof n["content"] === "string") {
    const from = pattern["String"];
    const to = n["content"];
    return (s) => s.replaceAll(from, to);
  }
  return fail("INVALID_CONFIG", { file: "tokenizer.json", detail: `normalizer ${JSON.stringify(type)} is not supported by the evaluation tokenizer` });
}

/** The id of the special token a TemplateProcessing `single` template starts with, if any. */
function templateBos(p: Record<string, unknown> | undefined): number | undefined {
  if (p?.["type"] !== "TemplateProcessing" || !Array.isArray(p["single"])) return undefined;
  const first = (p["single"] as Record<string, { id?: unknown }>[])[0]?.["SpecialToken"];
  const special = (p["special_tokens"] as Record<string, { ids?: unknown }> | undefined)?.[String(first?.id)];
  const id = Array.isArray(special?.ids) ? special.ids[0] : undefined;
  return typeof id === "number" ? id : undefined;
}

/** Binary min-heap of candidate merges keyed by (rank, left position). */
class MergeQueue {
  private readonly rank: number[] = [];
  private readonly pos: number[] = [];

  get size(): number {
    return this.rank.length;
  }

  private less(i: number, j: number): boolean {
    return this.rank[i]! < this.rank[j]! || (this.rank[i] === this.rank[j] && this.pos[i]! < this.pos[j]!);
  }

  private swap(i: number, j: number): void {
    [this.rank[i], this.rank[j]] = [this.rank[j]!, this.rank[i]!];
    [this.pos[i], this.pos[j]] = [this.pos[j]!, this.pos[i]!];
  }

  push(rank: number, pos: number): void {
    this.rank.push(rank);
    this.pos.push(pos);
    for (let i = this.rank.length - 1; i > 0; ) {
      const p = (i - 1) >> 1;
      if (!this.less(i, p)) break;
      this.swap(i, p);
      i = p;
    }
  }

  /** Removes the minimum; returns [rank, pos]. */
  pop(): [number, number] {
    const top: [number, number] = [this.rank[0]!, this.pos[0]!];
    const last = this.rank.length - 1;
    this.swap(0, last);
    this.rank.pop();
    this.pos.pop();
    for (let i = 0; ; ) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < this.rank.length && this.less(l, m)) m = l;
      if (r < this.rank.length && this.less(r, m)) m = r;
      if (m === i) break;
      this.swap(i, m);
      i = m;
    }
    return top;
  }
}

export interface EncodeOptions {
  /** Prepend the BOS id (default true, as the TinyStories post-processor does). */
  addBos?: boolean;
}

export class BpeTokenizer {
  private readonly idOf = new Map<string, number>();
  /** `${left id} ${right id}` → merge rank; the merged token is mergedId[rank]. */
  private readonly rankOf = new Map<string, number>();
  private readonly mergedId: number[] = [];

  private constructor(
    byId: readonly (string | undefined)[],
    left: readonly string[],
    right: readonly string[],
    private readonly byteFallback: boolean,
    private readonly unkId: number | undefined,
    /** Consecutive unknown characters become one unk token (tokenizers' `fuse_unk`). */
    private readonly fuseUnk: boolean,
    private readonly normalize: Normalize,
    readonly bosId: number | undefined,
  ) {
    byId.forEach((t, id) => t !== undefined && this.idOf.set(t, id));
    left.forEach((l, rank) => {
      const a = this.idOf.get(l);
      const b = this.idOf.get(right[rank]!);
      const merged = this.idOf.get(l + right[rank]!);
      if (a === undefined || b === undefined || merged === undefined) return;
      const key = `${a} ${b}`;
      if (!this.rankOf.has(key)) this.rankOf.set(key, this.mergedId.push(merged) - 1);
    });
  }

  /**
   * From tokenizer.json text. The BOS to prepend is `bosId` if given, else the leading special
   * token of the TemplateProcessing post-processor's `single` template (TinyStories: id 1).
   */
  static fromTokenizerJson(text: string, bosId?: number): BpeTokenizer {
    let raw: Record<string, unknown>;
    try {
      raw = JSON.parse(text) as Record<string, unknown>;
    } catch (cause) {
      return fail("INVALID_JSON", { file: "tokenizer.json", detail: (cause as Error).message, cause });
    }
    const json = readTokenizerJson(raw);
    const bpe = json.bpe ?? fail("INVALID_CONFIG", { file: "tokenizer.json", detail: `model type ${json.modelType} is not BPE` });
    if (json.preTokenizer !== undefined) {
      fail("INVALID_CONFIG", { file: "tokenizer.json", detail: `pre_tokenizer ${JSON.stringify(json.preTokenizer["type"])} is not supported by the evaluation tokenizer` });
    }
    const byId = [...bpe.byId];
    for (const t of json.addedTokens) byId[t.id] = t.content;
    const unk = bpe.unkToken === undefined ? undefined : byId.indexOf(bpe.unkToken);
    const fuseUnk = (raw["model"] as Record<string, unknown>)["fuse_unk"] === true;
    return new BpeTokenizer(byId, bpe.merges.left, bpe.merges.right, bpe.byteFallback, unk === -1 ? undefined : unk, fuseUnk, normalizerOf(json.normalizer), bosId ?? templateBos(json.postProcessor));
  }

  private initialSymbols(word: string): number[] {
    const ids: number[] = [];
    let lastUnk = false;
    for (const ch of word) {
      const id = this.idOf.get(ch);
      if (id !== undefined) {
        ids.push(id);
        lastUnk = false;
        continue;
      }
      const bytes = this.byteFallback ? [...new TextEncoder().encode(ch)].map((b) => this.idOf.get(`<0x${b.toString(16).toUpperCase().padStart(2, "0")}>`)) : [];
      if (bytes.length > 0 && bytes.every((b) => b !== undefined)) {
        ids.push(...(bytes as number[]));
        lastUnk = false;
      } else if (this.unkId !== undefined) {
        if (!(this.fuseUnk && lastUnk)) ids.push(this.unkId);
        lastUnk = true;
      } else fail("INVALID_VALUE", { detail: `character U+${ch.codePointAt(0)!.toString(16)} has no token, byte token or unk token` });
    }
    return ids;
  }

  /** Token ids of `text`. */
  encode(text: string, options: EncodeOptions = {}): number[] {
    const ids = this.initialSymbols(this.normalize(text));
    const n = ids.length;
    const next = Int32Array.from({ length: n }, (_, i) => (i + 1 < n ? i + 1 : -1));
    const prev = Int32Array.from({ length: n }, (_, i) => i - 1);
    const alive = new Uint8Array(n).fill(1);
    const queue = new MergeQueue();
    const consider = (i: number) => {
      const j = i < 0 ? -1 : next[i]!;
      if (j < 0) return;
      const rank = this.rankOf.get(`${ids[i]} ${ids[j]}`);
      if (rank !== undefined) queue.push(rank, i);
    };
    for (let i = 0; i < n - 1; i++) consider(i);
    while (queue.size > 0) {
      const [rank, i] = queue.pop();
      const j = next[i]!;
      // Stale entry: the left symbol was merged away or its pair changed since it was queued.
      if (!alive[i] || j < 0 || this.rankOf.get(`${ids[i]} ${ids[j]}`) !== rank) continue;
      ids[i] = this.mergedId[rank]!;
      alive[j] = 0;
      next[i] = next[j]!;
      if (next[j]! >= 0) prev[next[j]!] = i;
      consider(prev[i]!);
      consider(i);
    }
    const out: number[] = options.addBos !== false && this.bosId !== undefined ? [this.bosId] : [];
    for (let i = 0; i < n; i++) if (alive[i]) out.push(ids[i]!);
    return out;
  }
}
