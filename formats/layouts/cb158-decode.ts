/**
 * The CB158 reference dequantizer: bytes → float32 values, validating every field it reads
 * (CB158-SPEC.md §4). Written from the spec, independently of the quantizer's reconstruction.
 */
import { fail } from "../../src/core/errors.js";
import { f16BitsToF32 } from "../../src/core/half.js";
import { isNonFiniteF16, readU16 } from "./blocks.js";
import { BitReader, BLOCK_SCALE_POW } from "./cb158-bits.js";
import {
  BLOCK,
  BLOCKS_PER_SUPER,
  CB158_VERSION,
  cb158Geometry,
  fixedSectionBytes,
  groupsIn,
  HEADER_BYTES,
  MAX_CAP0,
  salientColumnBytes,
  SALIENT_CHUNK,
  TIERS,
  type Cb158Geometry,
} from "./cb158-format.js";
import { GRID_PREFIX, GROUP, gridTables, indexWidth } from "./cb158-grid.js";
import { LEARNED_HEADER_BYTES, LEARNED_VERSION, learnedValues, MAX_TABLE_WIDTH, tableEntries } from "./cb158-table.js";

const readU32 = (b: Uint8Array, at: number) => (readU16(b, at) | (readU16(b, at + 2) << 16)) >>> 0;

function requireScale(h: number, at: number, what: string): number {
  if (isNonFiniteF16(h) || (h & 0x8000) !== 0) fail("INVALID_SCALE", { offset: at, detail: `CB158 ${what} has f16 bits 0x${h.toString(16)}` });
  return f16BitsToF32(h);
}

function requireEnd(bytes: Uint8Array, need: number): void {
  if (bytes.length < need) fail("TRUNCATED", { detail: `CB158: ${bytes.length} bytes, the header implies at least ${need}` });
}

/** The codebook a payload's group indices point into (§3, §5): its values, tier widths and index limits. */
interface Codebook {
  /** Byte offset of the tier ids (the end of the header and of a learned table). */
  tiersAt: number;
  values: ArrayLike<number>;
  widths: number[];
  /** A valid index of tier t is < limits[t]; 0 marks a tier id that is not in use. */
  limits: number[];
}

function readCodebook(bytes: Uint8Array, head: number): Codebook {
  if (bytes[0] === CB158_VERSION) {
    if (head < 1 || head > MAX_CAP0) fail("INVALID_CODE", { offset: 1, detail: `CB158 tier-0 cap ${head} is outside 1…${MAX_CAP0}` });
    const caps = [0, 1, 2, 3].map((t) => head + t);
    return { tiersAt: HEADER_BYTES, values: gridTables().codes, widths: caps.map(indexWidth), limits: caps.map((cap) => GRID_PREFIX[cap]!) };
  }
  requireEnd(bytes, LEARNED_HEADER_BYTES + 2);
  const levels = bytes[HEADER_BYTES]!;
  if (head < 1 || levels < 1 || levels > TIERS || head + levels - 1 > MAX_TABLE_WIDTH) {
    fail("INVALID_CODE", { offset: 1, detail: `CB158 learned table: tier-0 width ${head} with ${levels} tiers (widest ${MAX_TABLE_WIDTH})` });
  }
  const step = bytes[LEARNED_HEADER_BYTES]! | (bytes[LEARNED_HEADER_BYTES + 1]! << 8);
  if (step === 0) fail("INVALID_SCALE", { offset: LEARNED_HEADER_BYTES, detail: "CB158 learned table step τ is zero" });
  requireScale(step, LEARNED_HEADER_BYTES, "learned table step τ");
  const count = tableEntries(head, levels);
  const entriesAt = LEARNED_HEADER_BYTES + 2;
  requireEnd(bytes, entriesAt + GROUP * count);
  const entries = new Int8Array(bytes.buffer, bytes.byteOffset + entriesAt, GROUP * count);
  const values = learnedValues({ width0: head, levels, step, entries });
  const widths = [0, 1, 2, 3].map((t) => head + t);
  return { tiersAt: entriesAt + GROUP * count, values, widths, limits: widths.map((w, t) => (t < levels ? 2 ** w : 0)) };
}

/** Base values: codeword · block scale, super-block by super-block. Returns the next byte offset. */
function decodeBase(bytes: Uint8Array, g: Cb158Geometry, book: Codebook, out: Float32Array): number {
  const tierReader = new BitReader(bytes, book.tiersAt);
  const tiers = new Uint8Array(g.superBlocks);
  for (let sb = 0; sb < g.superBlocks; sb++) {
    tiers[sb] = tierReader.read(2);
    if (book.limits[tiers[sb]!] === 0) fail("INVALID_CODE", { offset: book.tiersAt + (sb >> 2), detail: `CB158 super-block ${sb}: tier ${tiers[sb]} is not in use` });
  }
  const scalesAt = tierReader.end("tier ids");
  const blocksAt = scalesAt + 2 * g.superBlocks;
  const codeReader = new BitReader(bytes, blocksAt);
  const indexReader = new BitReader(bytes, blocksAt + Math.ceil(g.blocks / 2));
  const codes = book.values;
  let bitsNeeded = 0;
  for (let sb = 0; sb < g.superBlocks; sb++) bitsNeeded += groupsIn(g, sb) * book.widths[tiers[sb]!]!;
  requireEnd(bytes, blocksAt + Math.ceil(g.blocks / 2) + Math.ceil(bitsNeeded / 8));
  let block = 0;
  for (let sb = 0; sb < g.superBlocks; sb++) {
    const d = requireScale(readU16(bytes, scalesAt + 2 * sb), scalesAt + 2 * sb, `super-block ${sb} scale`);
    const width = book.widths[tiers[sb]!]!;
    const limit = book.limits[tiers[sb]!]!;
    const end = Math.min(g.blocks, block + BLOCKS_PER_SUPER);
    for (; block < end; block++) {
      const s = Math.fround(d * BLOCK_SCALE_POW[codeReader.read(4)]!);
      for (let q = 0; q < BLOCK / GROUP; q++) {
        const index = indexReader.read(width);
        if (index >= limit) fail("INVALID_CODE", { detail: `CB158 group ${block * 4 + q}: index ${index} ≥ ${limit} (tier ${tiers[sb]})` });
        const base = block * BLOCK + q * GROUP;
        for (let j = 0; j < GROUP; j++) out[base + j] = codes[index * GROUP + j]! * s;
      }
    }
  }
  codeReader.end("block scale codes");
  return indexReader.end("group indices");
}

/** Overwrites salient columns with their 4-bit values; returns the next byte offset and the column mask. */
function decodeSalient(bytes: Uint8Array, g: Cb158Geometry, count: number, at: number, out: Float32Array) {
  const colBytes = salientColumnBytes(g.cols);
  const chunks = Math.ceil(g.rows / SALIENT_CHUNK);
  const isSalient = new Uint8Array(g.cols);
  const scalesAt = at + count * colBytes;
  const codes = new BitReader(bytes, scalesAt + 2 * count * chunks);
  let previous = -1;
  for (let s = 0; s < count; s++) {
    const col = colBytes === 2 ? readU16(bytes, at + 2 * s) : readU32(bytes, at + 4 * s);
    if (col <= previous || col >= g.cols) fail("INVALID_CODE", { offset: at + s * colBytes, detail: `CB158 salient column ${col} after ${previous} (cols ${g.cols})` });
    previous = col;
    isSalient[col] = 1;
    for (let i = 0; i < g.rows; i++) {
      const scaleAt = scalesAt + 2 * (s * chunks + Math.floor(i / SALIENT_CHUNK));
      const scale = requireScale(readU16(bytes, scaleAt), scaleAt, `salient column ${col} scale`);
      const nibble = codes.read(4);
      if (nibble === 8) fail("INVALID_CODE", { detail: `CB158 salient column ${col} row ${i}: code −8 is never written` });
      out[i * g.cols + col] = Math.fround(((nibble << 28) >> 28) * scale);
    }
  }
  return { next: codes.end("salient codes"), isSalient };
}

export function decodeCb158(bytes: Uint8Array, shape: readonly number[]): Float32Array {
  const g = cb158Geometry(shape);
  requireEnd(bytes, HEADER_BYTES);
  if (bytes[0] !== CB158_VERSION && bytes[0] !== LEARNED_VERSION) {
    fail("UNSUPPORTED_VERSION", { offset: 0, detail: `CB158 version ${bytes[0]}, this decoder reads ${CB158_VERSION} and ${LEARNED_VERSION}` });
  }
  const book = readCodebook(bytes, bytes[1]!);
  const table = book.tiersAt - HEADER_BYTES;
  const salient = readU32(bytes, 2);
  const outliers = readU32(bytes, 6);
  if (salient > g.cols || outliers > g.rows * g.cols) fail("INVALID_CODE", { offset: 2, detail: `CB158: ${salient} salient columns, ${outliers} outliers` });
  requireEnd(bytes, fixedSectionBytes(g, salient, outliers, table));
  const out = new Float32Array(g.rows * g.cols);
  const salientAt = decodeBase(bytes, g, book, out);
  requireEnd(bytes, salientAt + fixedSectionBytes(g, salient, outliers) - fixedSectionBytes(g, 0, 0));
  const { next, isSalient } = decodeSalient(bytes, g, salient, salientAt, out);
  const valuesAt = next + 4 * outliers;
  let previous = -1;
  for (let o = 0; o < outliers; o++) {
    const index = readU32(bytes, next + 4 * o);
    if (index <= previous || index >= out.length || isSalient[index % g.cols]) {
      fail("INVALID_CODE", { offset: next + 4 * o, detail: `CB158 outlier index ${index} after ${previous} (salient or out of order)` });
    }
    previous = index;
    const h = readU16(bytes, valuesAt + 2 * o);
    if (isNonFiniteF16(h)) fail("INVALID_SCALE", { offset: valuesAt + 2 * o, detail: `CB158 outlier value f16 0x${h.toString(16)}` });
    out[index] = Math.fround(out[index]! + f16BitsToF32(h));
  }
  for (let at = valuesAt + 2 * outliers; at < bytes.length; at++) {
    if (bytes[at] !== 0) fail("INVALID_CODE", { offset: at, detail: "CB158 padding byte is not zero" });
  }
  return out;
}
