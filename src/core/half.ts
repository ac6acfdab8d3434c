/**
 * float32 <-> IEEE half (f16) and bfloat16, by hand (Node 20 has no Float16Array).
 * f32 -> f16 matches numpy `astype(float16)` bit for bit (RNE, subnormals kept, NaN payload kept
 * as its top 10 bits, a payload that would vanish becomes 1). f32 -> bf16 matches gguf-py/libggml
 * (RNE on the dropped half, NaN forced quiet). Both widenings are exact.
 */

const scratch = new DataView(new ArrayBuffer(4));

/** The +Inf bit pattern of each 16-bit kind: the first non-finite magnitude pattern. */
export const HALF_INFINITY = { f16: 0x7c00, bf16: 0x7f80 } as const;

/** The float32 bit pattern of `x` (after rounding it to float32). */
export function f32Bits(x: number): number {
  scratch.setFloat32(0, x, true);
  return scratch.getUint32(0, true);
}

/** The float32 value of a 32-bit pattern. */
export function f32FromBits(bits: number): number {
  scratch.setUint32(0, bits >>> 0, true);
  return scratch.getFloat32(0, true);
}

/** f16 bits of a float32 bit pattern, round to nearest even. */
export function f16BitsFromF32Bits(bits: number): number {
  const sign = (bits >>> 16) & 0x8000;
  const exp = (bits >>> 23) & 0xff;
  const mant = bits & 0x7fffff;
  if (exp === 0xff) {
    if (mant === 0) return sign | 0x7c00;
    const payload = mant >>> 13;
    return sign | 0x7c00 | (payload === 0 ? 1 : payload);
  }
  const e = exp - 127 + 15; // biased f16 exponent
  if (e >= 0x1f) return sign | 0x7c00; // overflow
  if (e <= 0) {
    // subnormal half (or zero): value = m * 2^-24 with the implicit bit restored
    if (e < -10) return sign; // below half of the smallest subnormal: rounds to zero
    const full = mant | 0x800000;
    const shift = 14 - e; // 14..24
    const kept = full >>> shift;
    const rest = full & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    const up = rest > halfway || (rest === halfway && (kept & 1) === 1);
    return sign | (kept + (up ? 1 : 0));
  }
  const kept = (e << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  const up = rest > 0x1000 || (rest === 0x1000 && (kept & 1) === 1);
  return sign | (kept + (up ? 1 : 0)); // a carry into the exponent is correct, up to Inf
}

/** f16 bits of a number (first rounded to float32, as every caller holds float32 data). */
export function f32ToF16Bits(x: number): number {
  return f16BitsFromF32Bits(f32Bits(x));
}

/** Exact float32 value of f16 bits. */
export function f16BitsToF32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return f32FromBits(((h & 0x8000) << 16) | 0x7f800000 | (mant << 13));
  return sign * (1024 + mant) * 2 ** (exp - 25);
}

/** bf16 bits of a float32 bit pattern: RNE, NaN forced quiet. */
export function bf16BitsFromF32Bits(bits: number): number {
  if ((bits & 0x7fffffff) > 0x7f800000) return ((bits >>> 16) | 0x0040) & 0xffff;
  return ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16) & 0xffff;
}

export function f32ToBf16Bits(x: number): number {
  return bf16BitsFromF32Bits(f32Bits(x));
}

/** Exact float32 value of bf16 bits. */
export function bf16BitsToF32(h: number): number {
  return f32FromBits((h & 0xffff) << 16);
}

/** Rounds a value to the nearest f16 and back (the f16 storage of a scale). */
export function roundToF16(x: number): number {
  return f16BitsToF32(f32ToF16Bits(x));
}

/**
 * Widens little-endian 16-bit halves (f16 or bf16) in `bytes` into `out`. Works on bit patterns
 * throughout: copying a float through a JS number may quiet a signalling NaN on x86. Reads whole
 * words through typed-array views (Node's hosts are little-endian): bf16 two halves per 32-bit
 * load, f16 one table lookup per 16-bit load. Input at a misaligned offset is copied once.
 */
export function decodeHalves(bytes: Uint8Array, kind: "f16" | "bf16", out = new Float32Array(bytes.length >>> 1)): Float32Array {
  const n = bytes.length >>> 1;
  const bits = new Int32Array(out.buffer, out.byteOffset, n);
  if (kind === "bf16") {
    const pairs = n >>> 1;
    const words = new Int32Array(...alignedView(bytes, 4, pairs * 4), pairs);
    for (let i = 0; i < pairs; i++) {
      const w = words[i]!;
      bits[2 * i] = w << 16;
      bits[2 * i + 1] = w & ~0xffff;
    }
    if (n & 1) bits[n - 1] = (bytes[2 * n - 2]! << 16) | (bytes[2 * n - 1]! << 24);
    return out;
  }
  const halves = new Uint16Array(...alignedView(bytes, 2, n * 2), n);
  const table = f16Table();
  for (let i = 0; i < n; i++) bits[i] = table[halves[i]!]!;
  return out;
}

/** The buffer and offset of `bytes[0 … length)`, copied when its offset is not a multiple of `align`. */
function alignedView(bytes: Uint8Array, align: number, length: number): [ArrayBuffer, number] {
  if (bytes.byteOffset % align === 0) return [bytes.buffer as ArrayBuffer, bytes.byteOffset];
  return [bytes.slice(0, length).buffer, 0];
}

/** Narrows float32 values to little-endian 16-bit halves. */
export function encodeHalves(values: Float32Array, kind: "f16" | "bf16", out = new Uint8Array(values.length * 2)): Uint8Array {
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  const narrow = kind === "f16" ? f16BitsFromF32Bits : bf16BitsFromF32Bits;
  for (let i = 0; i < values.length; i++) {
    const h = narrow(bits[i]!);
    out[2 * i] = h & 0xff;
    out[2 * i + 1] = h >>> 8;
  }
  return out;
}

/** Exact float32 bit pattern of f16 bits (NaN payloads kept, signalling NaNs stay signalling). */
export function f16BitsToF32Bits(h: number): number {
  return f16Table()[h & 0xffff]!;
}

let f16Lookup: Uint32Array | undefined;

/** float32 bit patterns of all 65,536 halves, built once: decoding is one lookup per element. */
function f16Table(): Uint32Array {
  if (!f16Lookup) {
    const t = new Uint32Array(65536);
    for (let h = 0; h < 65536; h++) {
      const exp = (h >>> 10) & 0x1f;
      t[h] = exp === 0x1f ? ((h & 0x8000) << 16) | 0x7f800000 | ((h & 0x3ff) << 13) : f32Bits(f16BitsToF32(h));
    }
    f16Lookup = t;
  }
  return f16Lookup;
}
