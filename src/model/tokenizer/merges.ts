/**
 * BPE merges from tokenizer.json `model.merges`, in both stored forms: the legacy strings "a b"
 * and the pair form [a, b] that tokenizers writes since transformers 4.45 (parts may then hold
 * spaces). Index = merge rank (0 = applied first).
 */
import { fail } from "../../core/errors.js";

export interface MergePairs {
  left: string[];
  right: string[];
}

const FILE = "tokenizer.json";

/** Parses `model.merges`; absent → no merges. Mirrors tokenizers: a string must split into exactly two parts. */
export function parseMerges(raw: unknown): MergePairs {
  const left: string[] = [];
  const right: string[] = [];
  if (raw === undefined || raw === null) return { left, right };
  if (!Array.isArray(raw)) fail("INVALID_CONFIG", { file: FILE, detail: "model.merges is not an array" });
  for (let i = 0; i < raw.length; i++) {
    const m: unknown = raw[i];
    if (typeof m === "string") {
      const space = m.indexOf(" ");
      if (space < 0 || m.indexOf(" ", space + 1) >= 0) {
        fail("INVALID_CONFIG", { file: FILE, detail: `model.merges[${i}] ${JSON.stringify(m)} is not "a b" with one space` });
      }
      left.push(m.slice(0, space));
      right.push(m.slice(space + 1));
    } else if (Array.isArray(m) && m.length === 2 && typeof m[0] === "string" && typeof m[1] === "string") {
      left.push(m[0]);
      right.push(m[1]);
    } else {
      fail("INVALID_CONFIG", { file: FILE, detail: `model.merges[${i}] is neither "a b" nor a pair of strings` });
    }
  }
  return { left, right };
}

/** U+0120, what gguf-py writes for a space inside a merge part so that "a b" stays splittable. */
const SPACE_IN_PART = "\u0120";

/**
 * `tokenizer.ggml.merges` values: "a b" joined with one space. Spaces inside a part (possible only
 * in the pair form) become U+0120, as gguf-py does; llama.cpp splits each merge at its first space.
 */
export function ggufMergeStrings(merges: MergePairs): string[] {
  const out = new Array<string>(merges.left.length);
  for (let i = 0; i < out.length; i++) {
    out[i] = `${escapeSpaces(merges.left[i] as string)} ${escapeSpaces(merges.right[i] as string)}`;
  }
  return out;
}

function escapeSpaces(part: string): string {
  return part.includes(" ") ? part.replaceAll(" ", SPACE_IN_PART) : part;
}

/** Whether any part holds a space (then the GGUF strings are not the tokenizer's own text). */
export function mergesHaveSpaces(merges: MergePairs): boolean {
  return merges.left.some((p) => p.includes(" ")) || merges.right.some((p) => p.includes(" "));
}
