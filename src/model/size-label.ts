/**
 * `general.size_label` as gguf-py computes it (`model_weight_count_rounded_notation`, min_digits 2):
 * scale to K/M/B/T (strictly above 1e6, 1e9, 1e12), keep enough decimals for two significant
 * digits, format like Python's `f"{x:.{n}f}"`: 656000 → "656K", 1837824 → "1.8M", 2.41e9 → "2.4B".
 */

const SCALES: readonly [number, number, string][] = [
  [1e12, 1e-12, "T"],
  [1e9, 1e-9, "B"],
  [1e6, 1e-6, "M"],
];

export function sizeLabel(parameterCount: number): string {
  const count = Math.abs(parameterCount);
  const [, factor, suffix] = SCALES.find(([above]) => count > above) ?? [0, 1e-3, "K"];
  const scaled = count * factor;
  const integerDigits = pythonFixed(scaled, 0).replace(/^0+/, "").length;
  return `${pythonFixed(scaled, Math.max(2 - integerDigits, 0))}${suffix}`;
}

/**
 * Python's fixed-point formatting of a non-negative double: the exact binary value rounded to
 * `digits` decimals, ties to even (JS toFixed breaks exact ties upwards: 2.5 → "3", Python "2").
 */
export function pythonFixed(x: number, digits: number): string {
  // toFixed(100) is the exact decimal expansion for doubles of the magnitudes used here.
  const exact = x.toFixed(100);
  const point = exact.indexOf(".");
  const kept = exact.slice(0, point + 1 + digits).replace(/\.$/, "");
  const rest = exact.slice(point + 1 + digits);
  const first = rest.charCodeAt(0) - 48;
  const beyond = /[1-9]/.test(rest.slice(1));
  const lastDigit = Number(kept.replace(".", "").slice(-1));
  const roundUp = first > 5 || (first === 5 && (beyond || lastDigit % 2 === 1));
  return roundUp ? incrementDecimal(kept) : kept;
}

/** "1.29" → "1.30", "9.9" → "10.0", "99" → "100". */
function incrementDecimal(s: string): string {
  const chars = s.split("");
  for (let i = chars.length - 1; i >= 0; i--) {
    if (chars[i] === ".") continue;
    if (chars[i] !== "9") {
      chars[i] = String(Number(chars[i]) + 1);
      return chars.join("");
    }
    chars[i] = "0";
  }
  return `1${chars.join("")}`;
}
