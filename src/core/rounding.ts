/**
 * Rounding helpers that mirror float32 C/PyTorch arithmetic. Inputs are expected to be float32
 * values already (the result of `Math.fround`); JS `Math.round` (half toward +Inf) is never right.
 */

/** Round half to even (PyTorch/numpy `round`, BitNet quantizers). Returns +0 for -0. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  const out = r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
  return out + 0; // normalise -0
}

/** Round half away from zero (C `roundf`/`lroundf`: TQ1_0, TQ2_0, Q8_0). Returns +0 for -0. */
export function roundHalfAway(x: number): number {
  const r = Math.floor(Math.abs(x) + 0.5);
  return (x < 0 ? -r : r) + 0;
}

export function clamp(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}
