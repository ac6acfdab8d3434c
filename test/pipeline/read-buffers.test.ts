import { describe, expect, it } from "vitest";
import { ReadBufferPool } from "../../src/pipeline/read-buffers.js";

describe("ReadBufferPool", () => {
  it("hands back a given buffer only for its exact size, once", () => {
    const pool = new ReadBufferPool(3);
    const a = new ArrayBuffer(16);
    pool.give(a);
    expect(pool.take(8)).toBeUndefined();
    const got = pool.take(16)!;
    expect(got.buffer).toBe(a);
    expect(got.length).toBe(16);
    expect(pool.take(16)).toBeUndefined();
  });

  it("keeps at most `limit` buffers, dropping the oldest, and empties on clear", () => {
    const pool = new ReadBufferPool(2);
    const [a, b, c] = [new ArrayBuffer(4), new ArrayBuffer(4), new ArrayBuffer(4)];
    pool.give(a);
    pool.give(b);
    pool.give(c);
    expect(pool.size).toBe(2);
    expect(pool.take(4)!.buffer).toBe(b);
    expect(pool.take(4)!.buffer).toBe(c);
    expect(pool.take(4)).toBeUndefined();
    pool.give(a);
    pool.clear();
    expect(pool.take(4)).toBeUndefined();
  });

  it("keeps at most `perSize` buffers of one size (the oldest of that size goes), others untouched", () => {
    const pool = new ReadBufferPool(4, 2);
    const [a, b, c] = [new ArrayBuffer(8), new ArrayBuffer(8), new ArrayBuffer(8)];
    const big = new ArrayBuffer(32);
    pool.give(big);
    pool.give(a);
    pool.give(b);
    pool.give(c);
    expect(pool.size).toBe(3);
    expect(pool.take(8)!.buffer).toBe(b);
    expect(pool.take(8)!.buffer).toBe(c);
    expect(pool.take(8)).toBeUndefined();
    expect(pool.take(32)!.buffer).toBe(big);
  });
});
