import type { RandomStream } from '@entroscope/core';

/**
 * A bare xoshiro128** generator (Blackman & Vigna 2018) whose 128-bit state is seeded from a RandomStream.
 * It is the generator @entroscope/core uses, exposed as plain state so hot kernels can inline it into local
 * variables (a method call per random word costs more than the Metropolis update itself).
 */
export class Xoshiro128 {
  /** The four 32-bit state words; kernels read them into locals and write them back. */
  readonly state: Uint32Array;

  constructor(state: ArrayLike<number>) {
    this.state = Uint32Array.from(state);
    if ((this.state[0]! | this.state[1]! | this.state[2]! | this.state[3]!) === 0) this.state[0] = 1;
  }

  /** Seeds the state with four 32-bit words drawn from `random`. */
  static from(random: RandomStream): Xoshiro128 {
    return new Xoshiro128([random.nextUint32(), random.nextUint32(), random.nextUint32(), random.nextUint32()]);
  }

  /** Next 32-bit unsigned output. */
  next(): number {
    const s = this.state;
    const s0 = s[0]!;
    const s1 = s[1]!;
    let s2 = s[2]!;
    let s3 = s[3]!;
    const m = Math.imul(s1, 5);
    const result = Math.imul((m << 7) | (m >>> 25), 9) >>> 0;
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s[1] = s1 ^ s2;
    s[0] = s0 ^ s3;
    s[2] = s2 ^ t;
    s[3] = (s3 << 11) | (s3 >>> 21);
    return result;
  }

  /** Fills `out` with next() / 2^32, uniforms in [0, 1) with 32 bits (exact in float64). */
  fillUniform32(out: Float64Array): Float64Array {
    for (let i = 0; i < out.length; i++) out[i] = this.next() / 4294967296;
    return out;
  }
}
