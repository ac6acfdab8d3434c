/** Packs a structured CB158 tensor into its bytes (CB158-SPEC.md §2), zero padding to `totalBytes`. */
import { fail } from "../../src/core/errors.js";
import { writeU16 } from "./blocks.js";
import { BitWriter } from "./cb158-bits.js";
import { CB158_VERSION, cb158Geometry, groupsIn, HEADER_BYTES, salientColumnBytes, SALIENT_CHUNK, TIERS, usedBytes, type Cb158Tensor } from "./cb158-format.js";
import { GROUP } from "./cb158-grid.js";
import { codebookView, LEARNED_HEADER_BYTES, LEARNED_VERSION, MAX_TABLE_WIDTH, tableEntries } from "./cb158-table.js";

function requireCount(what: string, actual: number, expected: number): void {
  if (actual !== expected) fail("SHAPE_MISMATCH", { detail: `CB158: ${what} has ${actual} entries, expected ${expected}` });
}

function writeU32(out: Uint8Array, at: number, value: number): void {
  writeU16(out, at, value & 0xffff);
  writeU16(out, at + 2, value >>> 16);
}

export function packCb158(t: Cb158Tensor): Uint8Array {
  const g = cb158Geometry(t.shape);
  const salient = t.salientColumns.length;
  const outliers = t.outlierIndex.length;
  requireCount("tiers", t.tiers.length, g.superBlocks);
  requireCount("superScales", t.superScales.length, g.superBlocks);
  requireCount("blockCodes", t.blockCodes.length, g.blocks);
  requireCount("indices", t.indices.length, g.groups);
  requireCount("salientScales", t.salientScales.length, salient * Math.ceil(g.rows / SALIENT_CHUNK));
  requireCount("salientCodes", t.salientCodes.length, salient * g.rows);
  requireCount("outlierValues", t.outlierValues.length, outliers);
  const used = usedBytes(t);
  if (used > t.totalBytes) fail("USAGE", { detail: `CB158: content needs ${used} bytes, the budget is ${t.totalBytes}` });

  const { codebook } = t;
  if (codebook) {
    const { width0, levels } = codebook;
    if (!(width0 >= 1 && levels >= 1 && levels <= TIERS && width0 + levels - 1 <= MAX_TABLE_WIDTH) || t.tiers.some((tier) => tier >= levels)) {
      fail("USAGE", { detail: `CB158 learned table: width0 ${width0}, ${levels} tiers (tier ids must stay below it)` });
    }
    requireCount("codebook entries", codebook.entries.length, GROUP * tableEntries(width0, levels));
  }

  const out = new Uint8Array(t.totalBytes);
  out[0] = codebook ? LEARNED_VERSION : CB158_VERSION;
  out[1] = codebook ? codebook.width0 : t.cap0;
  writeU32(out, 2, salient);
  writeU32(out, 6, outliers);
  let at = HEADER_BYTES;
  if (codebook) {
    out[HEADER_BYTES] = codebook.levels;
    writeU16(out, LEARNED_HEADER_BYTES, codebook.step);
    out.set(new Uint8Array(codebook.entries.buffer, codebook.entries.byteOffset, codebook.entries.length), LEARNED_HEADER_BYTES + 2);
    at = LEARNED_HEADER_BYTES + 2 + codebook.entries.length;
  }
  const { widths } = codebookView(t);
  let w = new BitWriter(out, at);
  for (let sb = 0; sb < g.superBlocks; sb++) w.write(t.tiers[sb]!, 2);
  at = w.end();
  for (let sb = 0; sb < g.superBlocks; sb++, at += 2) writeU16(out, at, t.superScales[sb]!);
  w = new BitWriter(out, at);
  for (let b = 0; b < g.blocks; b++) w.write(t.blockCodes[b]!, 4);
  w = new BitWriter(out, w.end());
  for (let sb = 0, group = 0; sb < g.superBlocks; sb++) {
    const width = widths[t.tiers[sb]!]!;
    const end = group + groupsIn(g, sb);
    for (; group < end; group++) w.write(t.indices[group]!, width);
  }
  at = w.end();
  const colBytes = salientColumnBytes(g.cols);
  for (let s = 0; s < salient; s++, at += colBytes) {
    if (colBytes === 2) writeU16(out, at, t.salientColumns[s]!);
    else writeU32(out, at, t.salientColumns[s]!);
  }
  for (let i = 0; i < t.salientScales.length; i++, at += 2) writeU16(out, at, t.salientScales[i]!);
  w = new BitWriter(out, at);
  for (let i = 0; i < t.salientCodes.length; i++) w.write(t.salientCodes[i]! & 0xf, 4);
  at = w.end();
  for (let i = 0; i < outliers; i++, at += 4) writeU32(out, at, t.outlierIndex[i]!);
  for (let i = 0; i < outliers; i++, at += 2) writeU16(out, at, t.outlierValues[i]!);
  if (at !== used) fail("USAGE", { detail: `CB158 internal size mismatch: wrote ${at} bytes, accounted ${used}` });
  return out;
}
