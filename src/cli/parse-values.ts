/** Parsers for option values shared by several commands. */
import { TernpackError } from "../core/errors.js";
import type { TlParams } from "../../formats/layouts/index.js";

/** "a,b,c" → positive safe integers, exactly `count` of them. */
export function parseIntList(option: string, text: string, count: number): number[] {
  const parts = text.split(/[,x×]/).map((s) => s.trim());
  const nums = parts.map(Number);
  if (parts.length !== count || nums.some((n) => !Number.isSafeInteger(n) || n <= 0)) {
    throw new TernpackError("USAGE", { detail: `--${option} takes ${count} positive integers separated by commas, got '${text}'` });
  }
  return nums;
}

export function parseShape(text: string): [number, number] {
  const [M, K] = parseIntList("shape", text, 2);
  return [M!, K!];
}

export function parseTl(text: string | undefined): TlParams | undefined {
  if (text === undefined) return undefined;
  const [BM, BK, bm] = parseIntList("tl", text, 3);
  return { BM: BM!, BK: BK!, bm: bm! };
}

export function parseNumber(option: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const v = Number(text);
  if (text.trim() === "" || !Number.isFinite(v)) {
    throw new TernpackError("USAGE", { detail: `--${option} takes a finite number, got '${text}'` });
  }
  return v;
}
