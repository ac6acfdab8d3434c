/**
 * Bit-exact comparison of typed arrays with diagnostics: how many elements differ and where the
 * first one is (flat index, and row / column / block when a layout is given).
 */
export interface CompareLayout {
  /** Row length: positions are reported as (row, col). */
  cols?: number;
  /** Elements per block along a row: the first mismatch also reports `block` = col div blockSize. */
  blockSize?: number;
}

export interface F32CompareOptions extends CompareLayout {
  /** Allowed distance in units in the last place (0 = identical bit patterns). */
  maxUlps?: number;
  /** "any" (default): every NaN equals every NaN whatever its payload; "bits": payloads must match too. */
  nan?: "any" | "bits";
}

export interface Mismatch {
  index: number;
  row?: number;
  col?: number;
  block?: number;
  actual: number;
  expected: number;
  /** F32 only: both bit patterns (hex) and their ulp distance. */
  actualBits?: string;
  expectedBits?: string;
  ulps?: number;
}

export interface Comparison {
  equal: boolean;
  /** Differing elements in the common prefix, plus the length difference. */
  mismatches: number;
  lengths?: { actual: number; expected: number };
  first?: Mismatch;
}

type Numeric = ArrayLike<number>;

function locate(index: number, layout: CompareLayout): Pick<Mismatch, "row" | "col" | "block"> {
  if (!layout.cols) return {};
  const col = index % layout.cols;
  const at = { row: Math.floor(index / layout.cols), col };
  return layout.blockSize ? { ...at, block: Math.floor(col / layout.blockSize) } : at;
}

function compareWith(actual: Numeric, expected: Numeric, layout: CompareLayout, same: (i: number) => boolean, extra?: (i: number) => Partial<Mismatch>): Comparison {
  const n = Math.min(actual.length, expected.length);
  let mismatches = Math.abs(actual.length - expected.length);
  let first: Mismatch | undefined;
  for (let i = 0; i < n; i++) {
    if (same(i)) continue;
    mismatches++;
    first ??= { index: i, ...locate(i, layout), actual: actual[i]!, expected: expected[i]!, ...extra?.(i) };
  }
  if (!first && actual.length !== expected.length) {
    first = { index: n, ...locate(n, layout), actual: actual[n] ?? NaN, expected: expected[n] ?? NaN };
  }
  const result: Comparison = { equal: mismatches === 0, mismatches };
  if (actual.length !== expected.length) result.lengths = { actual: actual.length, expected: expected.length };
  if (first) result.first = first;
  return result;
}

/** Ternary / int8 codes, element by element. */
export function compareCodes(actual: Int8Array, expected: Int8Array, layout: CompareLayout = {}): Comparison {
  return compareWith(actual, expected, layout, (i) => actual[i] === expected[i]);
}

/** Int32 arrays (GEMV accumulators), element by element. */
export function compareI32(actual: Int32Array, expected: Int32Array, layout: CompareLayout = {}): Comparison {
  return compareWith(actual, expected, layout, (i) => actual[i] === expected[i]);
}

/** Position of a float32 bit pattern on the line of ordered floats (−0 and +0 both at 0). */
function ordinal(bits: number): number {
  return bits & 0x80000000 ? -(bits & 0x7fffffff) : bits;
}

/** Float32 arrays by bit pattern (or within `maxUlps`), NaN-aware. */
export function compareF32(actual: Float32Array, expected: Float32Array, options: F32CompareOptions = {}): Comparison {
  const a = new Uint32Array(actual.buffer, actual.byteOffset, actual.length);
  const e = new Uint32Array(expected.buffer, expected.byteOffset, expected.length);
  const maxUlps = options.maxUlps ?? 0;
  const anyNaN = (options.nan ?? "any") === "any";
  const ulps = (i: number) => Math.abs(ordinal(a[i]!) - ordinal(e[i]!));
  const same = (i: number) => {
    if (a[i] === e[i]) return true;
    const aNaN = Number.isNaN(actual[i]);
    const eNaN = Number.isNaN(expected[i]);
    if (aNaN || eNaN) return anyNaN && aNaN && eNaN;
    return maxUlps > 0 && ulps(i) <= maxUlps;
  };
  const hex = (bits: number) => "0x" + bits.toString(16).padStart(8, "0");
  return compareWith(actual, expected, options, same, (i) => ({ actualBits: hex(a[i]!), expectedBits: hex(e[i]!), ulps: ulps(i) }));
}

