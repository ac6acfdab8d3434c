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

const SIZE_UNITS: Record<string, number> = { "": 1, K: 1e3, M: 1e6, G: 1e9, T: 1e12, KI: 2 ** 10, MI: 2 ** 20, GI: 2 ** 30, TI: 2 ** 40 };

/** "2G" → 2,000,000,000 (decimal units, as llama.cpp's gguf-split reads them); "512Mi" → binary. */
export function parseByteSize(option: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const m = /^(\d+(?:\.\d+)?)\s*([KMGT]i?)?B?$/i.exec(text.trim());
  const unit = SIZE_UNITS[(m?.[2] ?? "").toUpperCase()];
  const bytes = m && unit !== undefined ? Math.floor(Number(m[1]) * unit) : NaN;
  if (!Number.isSafeInteger(bytes) || bytes <= 0) {
    throw new TernpackError("USAGE", { detail: `--${option} takes a size like 2G, 500M or 512Mi; got '${text}'` });
  }
  return bytes;
}

/** A non-negative integer option. */
export function parseCount(option: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const v = Number(text);
  if (!Number.isSafeInteger(v) || v < 0) throw new TernpackError("USAGE", { detail: `--${option} takes a whole number >= 0, got '${text}'` });
  return v;
}
