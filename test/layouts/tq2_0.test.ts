import { describe, expect, it } from "vitest";
import { tq2_0Layout } from "../../formats/layouts/tq2_0.js";
import { expectError, describeTqLayout } from "./tq-suite.js";
import { bytesOf, expectSameBytes } from "./golden.js";

const BB = 66;
/** Spec §4 / §7: every code is 1 → 64 bytes of 0x55, then d = 0. */
const ZERO_BLOCK = Uint8Array.from([...Array(64).fill(0x55), 0, 0]);

describeTqLayout(tq2_0Layout, ZERO_BLOCK);

/** Three all-zero blocks with d = 0.5 (f16 0x3800). */
function threeBlocks(): Uint8Array {
  const bytes = new Uint8Array(3 * BB);
  for (let b = 0; b < 3; b++) {
    bytes.set(ZERO_BLOCK, b * BB);
    bytes[b * BB + 65] = 0x38;
  }
  return bytes;
}

describe("tq2_0: code 3", () => {
  it("unpack rejects code 3 in each of a byte's four fields, naming block and byte", () => {
    for (let field = 0; field < 4; field++) {
      const bytes = threeBlocks();
      bytes[2 * BB + 17] = 0x55 | (3 << (2 * field));
      const where = new RegExp(`block 2, byte 17 of the block \\(tensor byte ${2 * BB + 17}\\)`);
      expectError(() => tq2_0Layout.unpack(bytes, [3, 256]), "INVALID_CODE", where);
    }
  });

  it("unpack accepts exactly the 81 byte values without code 3 and repacks them", () => {
    let accepted = 0;
    for (let b = 0; b < 256; b++) {
      const bytes = threeBlocks();
      bytes[BB + 40] = b; // block 1, second half: elements 128+8 + 32·l
      const fields = [0, 1, 2, 3].map((l) => (b >> (2 * l)) & 3);
      if (fields.includes(3)) {
        expectError(() => tq2_0Layout.unpack(bytes, [768]), "INVALID_CODE", /block 1, byte 40 of the block/);
        continue;
      }
      accepted++;
      const t = tq2_0Layout.unpack(bytes, [768]);
      expect([136, 168, 200, 232].map((e) => t.codes[256 + e]! + 1)).toEqual(fields);
      expect(Array.from(t.scales)).toEqual([0.5, 0.5, 0.5]);
      expectSameBytes(tq2_0Layout.pack(t), bytes, BB, `byte 0x${b.toString(16)}`);
    }
    expect(accepted).toBe(81);
  });

  it("decode, like the reference to_float, reads code 3 as +2·d", () => {
    const bytes = threeBlocks();
    bytes[BB + 3] = 0x57; // element 3 of block 1 has code 3; its neighbours in the byte stay 0
    const values = tq2_0Layout.decode(bytes, [768]);
    expect(values[256 + 3]).toBe(1); // 2 · 0.5
    expect(values[256 + 35]).toBe(0);
    expect(new Uint32Array(bytesOf(values).slice().buffer).filter((x) => x !== 0).length).toBe(1);
  });
});
