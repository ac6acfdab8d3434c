/**
 * The safetensors dtypes with their sizes in bits, in the Rust crate's `Dtype` enum order
 * (increasing alignment). The writer sorts tensors by this order, descending.
 * Sizes are bits, not bytes, so the sub-byte dtypes (F4, F6_*) are ordinary entries.
 */

export const DTYPE_BITS = {
  BOOL: 8,
  F4: 4,
  F6_E2M3: 6,
  F6_E3M2: 6,
  U8: 8,
  I8: 8,
  F8_E5M2: 8,
  F8_E4M3: 8,
  F8_E8M0: 8,
  F8_E4M3FNUZ: 8,
  F8_E5M2FNUZ: 8,
  I16: 16,
  U16: 16,
  F16: 16,
  BF16: 16,
  I32: 32,
  U32: 32,
  F32: 32,
  C64: 64,
  F64: 64,
  I64: 64,
  U64: 64,
} as const;

export type SafetensorsDtype = keyof typeof DTYPE_BITS;

/** Every dtype, in enum order. */
export const DTYPES = Object.keys(DTYPE_BITS) as SafetensorsDtype[];

const ENUM_INDEX = new Map<string, number>(DTYPES.map((d, i) => [d, i]));

export function isSafetensorsDtype(s: string): s is SafetensorsDtype {
  return ENUM_INDEX.has(s);
}

export function dtypeBits(dtype: SafetensorsDtype): number {
  return DTYPE_BITS[dtype];
}

/** Position in the crate's enum (BOOL = 0 … U64 = 21); larger means written earlier. */
export function dtypeOrder(dtype: SafetensorsDtype): number {
  return ENUM_INDEX.get(dtype)!;
}
