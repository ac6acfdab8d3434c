/**
 * GGUF KV value types (gguf.md §2) and the TypeScript shapes of values as the reader returns
 * them and as the writer accepts them.
 */

export const GGUF_VALUE_TYPE = {
  UINT8: 0,
  INT8: 1,
  UINT16: 2,
  INT16: 3,
  UINT32: 4,
  INT32: 5,
  FLOAT32: 6,
  BOOL: 7,
  STRING: 8,
  ARRAY: 9,
  UINT64: 10,
  INT64: 11,
  FLOAT64: 12,
} as const;

export type GgufValueTypeName = keyof typeof GGUF_VALUE_TYPE;
export type GgufValueType = (typeof GGUF_VALUE_TYPE)[GgufValueTypeName];
/** Types an array element may have: anything but ARRAY (nested arrays are rejected by llama.cpp). */
export type GgufElementType = Exclude<GgufValueType, 9>;

const NAMES = Object.keys(GGUF_VALUE_TYPE) as GgufValueTypeName[];

export function isGgufValueType(id: number): id is GgufValueType {
  return Number.isInteger(id) && id >= 0 && id < NAMES.length;
}

/** "UINT32" for 4; `type 99` for ids outside the table (for messages). */
export function ggufValueTypeName(id: number): string {
  return isGgufValueType(id) ? (NAMES[id] as GgufValueTypeName) : `type ${id}`;
}

/** Encoded size of a fixed-size value; 0 for STRING and ARRAY. */
export const GGUF_SCALAR_BYTES: Readonly<Record<GgufValueType, number>> = {
  0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 8: 0, 9: 0, 10: 8, 11: 8, 12: 8,
};

/** The typed array holding each numeric element type in host byte order (BOOL and STRING have none). */
export const GGUF_TYPED_ARRAYS = {
  0: Uint8Array,
  1: Int8Array,
  2: Uint16Array,
  3: Int16Array,
  4: Uint32Array,
  5: Int32Array,
  6: Float32Array,
  10: BigUint64Array,
  11: BigInt64Array,
  12: Float64Array,
} as const;

/** Array values as read: typed arrays (the file's bytes, exact) for numbers, plain arrays otherwise. */
export interface GgufArrayValues {
  0: Uint8Array;
  1: Int8Array;
  2: Uint16Array;
  3: Int16Array;
  4: Uint32Array;
  5: Int32Array;
  6: Float32Array;
  7: boolean[];
  8: string[];
  10: BigUint64Array;
  11: BigInt64Array;
  12: Float64Array;
}

export type GgufArray = { [T in GgufElementType]: { elementType: T; values: GgufArrayValues[T] } }[GgufElementType];

/** Values as read. 64-bit integers are always bigint, so a value's JS type depends only on its GGUF type. */
export interface GgufValues {
  0: number;
  1: number;
  2: number;
  3: number;
  4: number;
  5: number;
  6: number;
  7: boolean;
  8: string;
  9: GgufArray;
  10: bigint;
  11: bigint;
  12: number;
}

/** One KV as read, discriminated by `type`. */
export type GgufKv = { [T in GgufValueType]: { type: T; value: GgufValues[T] } }[GgufValueType];

/** What the writer accepts for array elements (any array-like; 64-bit also as safe-integer numbers). */
export interface GgufArrayInputs {
  0: ArrayLike<number>;
  1: ArrayLike<number>;
  2: ArrayLike<number>;
  3: ArrayLike<number>;
  4: ArrayLike<number>;
  5: ArrayLike<number>;
  6: ArrayLike<number>;
  7: ArrayLike<boolean>;
  8: ArrayLike<string>;
  10: ArrayLike<bigint | number>;
  11: ArrayLike<bigint | number>;
  12: ArrayLike<number>;
}

export type GgufArrayInput = {
  [T in GgufElementType]: { elementType: T; values: GgufArrayInputs[T] };
}[GgufElementType];

export interface GgufValueInputs extends Omit<GgufValues, 9 | 10 | 11> {
  9: GgufArrayInput;
  10: bigint | number;
  11: bigint | number;
}

/** One KV as the writer accepts it; every `GgufKv` the reader returns is one. */
export type GgufKvInput = { [T in GgufValueType]: { type: T; value: GgufValueInputs[T] } }[GgufValueType];
