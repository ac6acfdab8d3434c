/**
 * Buffers reused from tensor to tensor by one thread's `processJob` calls: the float values a large
 * tensor is decoded into when it must exist in float32 (71 MB for an FFN weight of a 2B model), the
 * quantizer's codes and the codes the verifier's kernel decodes from the payload (18 MB each), and
 * the checkpoint bytes a worker reads itself (35 MB). Allocating (and faulting in) fresh ones each time costs
 * memory, not only time: with big short-lived arrays, V8 frees the old ones only at a later GC and
 * glibc keeps the freed memory resident, which is most of a worker's peak memory. Each buffer grows
 * to the largest tensor seen and lives as long as its owner (a worker thread, or one inline conversion).
 */
export class FloatScratch {
  private buffer: Float32Array<ArrayBuffer> = new Float32Array(0);
  private codes: Int8Array<ArrayBuffer> = new Int8Array(0);
  private quantized: Int8Array<ArrayBuffer> = new Int8Array(0);
  private read: Uint8Array<ArrayBuffer> = new Uint8Array(0);

  /** A view of `n` floats; its contents are overwritten by the next call. */
  take(n: number): Float32Array<ArrayBuffer> {
    if (this.buffer.length < n) this.buffer = new Float32Array(n);
    return this.buffer.subarray(0, n);
  }

  /** A view of `n` int8 codes (offset 0, so 4-byte aligned); its contents are overwritten by the next call. */
  takeCodes(n: number): Int8Array<ArrayBuffer> {
    if (this.codes.length < n) this.codes = new Int8Array(n);
    return this.codes.subarray(0, n);
  }

  /** A buffer of `n` bytes for the checkpoint bytes a worker reads itself; overwritten by the next call. */
  takeRead(n: number): Uint8Array<ArrayBuffer> {
    if (this.read.length < n) this.read = new Uint8Array(n);
    return this.read.subarray(0, n);
  }

  /** Whether `bytes` is a view of the read buffer (so must be copied before it leaves the job). */
  holdsRead(bytes: Uint8Array | undefined): boolean {
    return bytes !== undefined && bytes.buffer === this.read.buffer && this.read.length > 0;
  }

  /** The quantizer's codes (a buffer apart from `takeCodes`, since verify compares the two). */
  takeQuantizedCodes(n: number): Int8Array<ArrayBuffer> {
    if (this.quantized.length < n) this.quantized = new Int8Array(n);
    return this.quantized.subarray(0, n);
  }
}
