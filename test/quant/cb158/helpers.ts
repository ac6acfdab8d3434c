/** Shared inputs for the CB158 tests: seeded Laplace-tailed matrices and the TinyStories linears. */
import { openCheckpoint } from "../../../formats/safetensors/index.js";
import { gaussianLike } from "../../../src/core/prng.js";
import { fixturePath } from "../../helpers/fixtures.js";

export function randomMatrix(rows: number, cols: number, seed: number): Float32Array {
  let state = seed >>> 0;
  const uniform = () => {
    state = (Math.imul(state ^ (state >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    return (state + 0.5) / 2 ** 32;
  };
  const w = new Float32Array(rows * cols);
  for (let i = 0; i < w.length; i++) w[i] = 0.05 * Math.log(uniform()) * (uniform() < 0.5 ? -1 : 1);
  return w;
}

export interface NamedTensor {
  name: string;
  shape: [number, number];
  values: Float32Array;
}

/** Every 2-D weight of the bundled TinyStories model (the 14 linears and the tied lm_head). */
export async function tinyStoriesLinears(): Promise<NamedTensor[]> {
  const checkpoint = await openCheckpoint(fixturePath("tinystories-656k"));
  const out: NamedTensor[] = [];
  for (const t of checkpoint.tensors) {
    if (t.shape.length !== 2) continue;
    out.push({ name: t.name, shape: [t.shape[0]!, t.shape[1]!], values: await checkpoint.readFloat32(t.name) });
  }
  await checkpoint.close();
  return out;
}

/** Float32 bit patterns, for bit-exact comparisons. */
export const bitsOf = (x: Float32Array) => new Uint32Array(x.buffer, x.byteOffset, x.length);

/**
 * Heavy-tailed (Student-t-like, ν degrees of freedom) values · `scale`: a unit-variance
 * gaussianLike numerator over sqrt(χ²_ν / ν) from ν more gaussianLike draws (seeded, deterministic).
 */
export function studentTLike(n: number, seed: number, nu: number, scale: number): Float32Array {
  const z = gaussianLike(n, seed, Math.sqrt(3));
  const chi = gaussianLike(n * nu, seed ^ 0x5bd1e995, Math.sqrt(3));
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let c = 0;
    for (let k = 0; k < nu; k++) c += chi[i * nu + k]! ** 2;
    out[i] = (scale * z[i]!) / Math.sqrt(c / nu + 1e-6);
  }
  return out;
}
