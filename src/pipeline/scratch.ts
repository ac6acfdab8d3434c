/**
 * A float buffer reused from tensor to tensor by one thread's `processJob` calls, so that decoding
 * a large tensor does not allocate (and fault in) a fresh 71 MB array each time: with big
 * short-lived arrays, V8 frees the old ones only at a later GC and glibc keeps the freed memory
 * resident, which is most of a worker's peak memory. The buffer grows to the largest tensor seen
 * and lives as long as its owner (a worker thread, or one inline conversion).
 */
export class FloatScratch {
  private buffer: Float32Array<ArrayBuffer> = new Float32Array(0);

  /** A view of `n` floats; its contents are overwritten by the next call. */
  take(n: number): Float32Array<ArrayBuffer> {
    if (this.buffer.length < n) this.buffer = new Float32Array(n);
    return this.buffer.subarray(0, n);
  }
}
