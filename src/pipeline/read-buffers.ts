/**
 * Checkpoint read buffers handed back by the worker threads, for the read stage to read the next
 * tensors into. Without them every tensor read allocates (and faults in) a fresh buffer, 35 MB for
 * an FFN weight of a 2B model, and the worker that received it frees it only at a later GC: most of
 * a worker's peak memory. Buffers are matched by exact size (a model repeats a few tensor shapes),
 * and the pool is bounded, so it never holds more than `limit` buffers.
 *
 * Only buffers that nothing else references may be given: a worker's copy of the checkpoint bytes,
 * which it transferred back (the main thread's own was detached when it was sent).
 */
export class ReadBufferPool {
  private readonly buffers: ArrayBuffer[] = [];

  constructor(readonly limit: number) {}

  /** A pooled buffer of exactly `n` bytes, removed from the pool; undefined when there is none. */
  take(n: number): Uint8Array | undefined {
    const i = this.buffers.findIndex((b) => b.byteLength === n);
    if (i < 0) return undefined;
    const [buffer] = this.buffers.splice(i, 1);
    return new Uint8Array(buffer!);
  }

  /** Adds `buffer`, dropping the oldest one when the pool is full. */
  give(buffer: ArrayBuffer): void {
    if (this.limit <= 0 || buffer.byteLength === 0) return;
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
export const readBuffers = new ReadBufferPool(2);
