/**
 * Checkpoint read buffers handed back by the worker threads, for the read stage to read the next
 * tensors into. Without them every tensor read allocates (and faults in) a fresh buffer, 35 MB for
 * an FFN weight of a 2B model, and the worker that received it frees it only at a later GC: most of
 * a worker's peak memory. Buffers are matched by exact size (a model repeats a few tensor shapes);
 * the pool keeps at most `perSize` buffers of one size, so that the shapes of a layer (an FFN's
 * three matrices, its attention's four) all find one, and at most `limit` in all.
 *
 * Only buffers that nothing else references may be given: a worker's copy of the checkpoint bytes,
 * which it transferred back (the main thread's own was detached when it was sent).
 */
export class ReadBufferPool {
  private readonly buffers: ArrayBuffer[] = [];

  constructor(
    readonly limit: number,
    readonly perSize = limit,
  ) {}

  /** A pooled buffer of exactly `n` bytes, removed from the pool; undefined when there is none. */
  take(n: number): Uint8Array | undefined {
    const i = this.buffers.findIndex((b) => b.byteLength === n);
    if (i < 0) return undefined;
    const [buffer] = this.buffers.splice(i, 1);
    return new Uint8Array(buffer!);
  }

  /** Adds `buffer`, dropping the oldest one of its size, or the oldest of all, beyond the bounds. */
  give(buffer: ArrayBuffer): void {
    if (this.limit <= 0 || this.perSize <= 0 || buffer.byteLength === 0) return;
    const same = this.buffers.filter((b) => b.byteLength === buffer.byteLength);
    if (same.length >= this.perSize) this.buffers.splice(this.buffers.indexOf(same[0]!), 1);
    this.buffers.push(buffer);
    if (this.buffers.length > this.limit) this.buffers.shift();
  }

  /** Buffers held. */
  get size(): number {
    return this.buffers.length;
  }

  /** Drops every buffer (a worker pool closing: the memory goes back with the conversion). */
  clear(): void {
    this.buffers.length = 0;
  }
}

/**
 * The main thread's pool, shared by the read stage (`readTensors`) and the worker pools that give
 * buffers back; several conversions at once share it safely, each buffer being used by one read.
 */
export const readBuffers = new ReadBufferPool(4, 1);
