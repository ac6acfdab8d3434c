/**
 * Test-only model of llama.cpp's SPM tokenizer (llama-vocab.cpp `llm_tokenizer_spm_session`), to
 * check what a GGUF's tokens + scores make llama.cpp do:
 *   text → (add_space_prefix: " " + text) → spaces as "▁" → UTF-8 characters as symbols;
 *   queue every adjacent pair whose concatenation is a token, keyed by that token's score;
 *   pop the highest score (ties: smallest left index), skip it when a side was merged away or the
 *   sizes no longer add up (llama.cpp compares only byte sizes), merge, queue the new neighbours;
 *   finally emit each symbol's token; a text that is not a token is split again by the pair that
 *   last formed it (`rev_merge`), else emitted as "<0xNN>" byte tokens.
 * Works on UTF-8 bytes held in latin1 strings, so sizes are byte counts as in the C++ code.
 */

interface Bigram {
  left: number;
  right: number;
  score: number;
  size: number;
}

/** std::priority_queue with llama.cpp's comparator: max score first, then min left. */
class BigramQueue {
  private heap: Bigram[] = [];

  get size(): number {
    return this.heap.length;
  }

  private before(a: Bigram, b: Bigram): boolean {
    return a.score > b.score || (a.score === b.score && a.left < b.left);
  }

  push(b: Bigram): void {
    const h = this.heap;
    h.push(b);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(h[i] as Bigram, h[parent] as Bigram)) break;
      [h[i], h[parent]] = [h[parent] as Bigram, h[i] as Bigram];
      i = parent;
    }
  }

  pop(): Bigram {
    const h = this.heap;
    const top = h[0] as Bigram;
    const last = h.pop() as Bigram;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let best = i;
        if (l < h.length && this.before(h[l] as Bigram, h[best] as Bigram)) best = l;
        if (r < h.length && this.before(h[r] as Bigram, h[best] as Bigram)) best = r;
        if (best === i) break;
        [h[i], h[best]] = [h[best] as Bigram, h[i] as Bigram];
        i = best;
      }
    }
    return top;
  }
}

const toLatin1 = (s: string) => Buffer.from(s, "utf8").toString("latin1");

export class LlamaSpm {
  private readonly idOf = new Map<string, number>();

  constructor(
    tokens: readonly string[],
    private readonly scores: ArrayLike<number>,
  ) {
    tokens.forEach((t, id) => this.idOf.set(toLatin1(t), id));
  }

  /** Token ids for `text` as llama.cpp's SPM session produces them (BOS not included). */
  tokenize(text: string, addSpacePrefix = true): number[] {
    const bytes = toLatin1((addSpacePrefix ? " " : "") + text).replaceAll(" ", toLatin1("\u2581"));
    const start: number[] = [];
    const n: number[] = [];
    for (let off = 0; off < bytes.length; ) {
      const lead = bytes.charCodeAt(off);
      const len = lead < 0x80 ? 1 : lead < 0xe0 ? 2 : lead < 0xf0 ? 3 : 4;
      start.push(off);
      n.push(Math.min(len, bytes.length - off));
      off += len;
    }
    const prev = start.map((_, i) => i - 1);
    const next = start.map((_, i) => (i + 1 < start.length ? i + 1 : -1));
    const queue = new BigramQueue();
    const revMerge = new Map<string, [number, number]>();
    const tryAdd = (left: number, right: number) => {
      if (left === -1 || right === -1) return;
      const text2 = bytes.substr(start[left] as number, (n[left] as number) + (n[right] as number));
      const id = this.idOf.get(text2);
      if (id === undefined) return;
      queue.push({ left, right, score: this.scores[id] as number, size: text2.length });
      revMerge.set(text2, [left, right]);
    };
    for (let i = 1; i < start.length; i++) tryAdd(i - 1, i);
    while (queue.size > 0) {
      const b = queue.pop();
      const nl = n[b.left] as number;
      const nr = n[b.right] as number;
      if (nl === 0 || nr === 0 || nl + nr !== b.size) continue;
      n[b.left] = nl + nr;
      n[b.right] = 0;
      next[b.left] = next[b.right] as number;
      if ((next[b.right] as number) >= 0) prev[next[b.right] as number] = b.left;
      tryAdd(prev[b.left] as number, b.left);
      tryAdd(b.left, next[b.left] as number);
    }
    const out: number[] = [];
    const resegment = (i: number) => {
      const piece = bytes.substr(start[i] as number, n[i] as number);
      const id = this.idOf.get(piece);
      if (id !== undefined) return void out.push(id);
      const parts = revMerge.get(piece);
      if (parts !== undefined) {
        resegment(parts[0]);
        resegment(parts[1]);
        return;
      }
      for (let j = 0; j < piece.length; j++) {
        const byteId = this.idOf.get(`<0x${piece.charCodeAt(j).toString(16).toUpperCase().padStart(2, "0")}>`);
        if (byteId === undefined) throw new Error(`no token for byte ${piece.charCodeAt(j)} and no byte piece`);
        out.push(byteId);
      }
    };
    for (let i = 0; i !== -1; i = next[i] as number) resegment(i);
    return out;
  }
}
