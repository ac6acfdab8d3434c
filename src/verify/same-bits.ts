/**
 * Whether two typed arrays hold the same bytes: the fast path of every comparison in the verifier
 * (a word loop, no closures); the kernels' compare* functions run only on a mismatch, for the report.
 */
export function sameBits(a: ArrayBufferView, b: ArrayBufferView): boolean {
  const n = a.byteLength;
  if (n !== b.byteLength) return false;
  let i = 0;
  if (a.byteOffset % 4 === 0 && b.byteOffset % 4 === 0) {
    const words = n >>> 2;
    const x = new Int32Array(a.buffer, a.byteOffset, words);
    const y = new Int32Array(b.buffer, b.byteOffset, words);
    let w = 0;
    // eight words a test: one branch per 32 bytes
    for (; w + 8 <= words; w += 8) {
      const d = (x[w]! ^ y[w]!) | (x[w + 1]! ^ y[w + 1]!) | (x[w + 2]! ^ y[w + 2]!) | (x[w + 3]! ^ y[w + 3]!) |
        (x[w + 4]! ^ y[w + 4]!) | (x[w + 5]! ^ y[w + 5]!) | (x[w + 6]! ^ y[w + 6]!) | (x[w + 7]! ^ y[w + 7]!);
      if (d !== 0) return false;
    }
    for (; w < words; w++) if (x[w] !== y[w]) return false;
    i = words * 4;
  }
  const x = new Uint8Array(a.buffer, a.byteOffset, n);
  const y = new Uint8Array(b.buffer, b.byteOffset, n);
  for (; i < n; i++) if (x[i] !== y[i]) return false;
  return true;
}
