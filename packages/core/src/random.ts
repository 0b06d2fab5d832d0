/**
 * Seeded, splittable random streams.
 *
 * Generator: **xoshiro128\*\*** (Blackman & Vigna 2018), 128-bit state, period 2^128 − 1, 32-bit outputs,
 * passes BigCrush; chosen because it needs only 32-bit integer operations, which are fast and exact in
 * JavaScript (`Math.imul`, `>>>`).
 *
 * Splitting: a stream is identified by a 128-bit *key*. `split(label)` derives a child key by hashing the
 * parent key together with the label (MurmurHash3-style mixing over four 32-bit lanes, then SplitMix32
 * finalisation), and seeds the child's xoshiro state from that key through SplitMix32. Children depend only
 * on (parent key, label), never on how many numbers the parent has drawn, so the stream of
 * `root(seed).split('system:chain').split('replicate:0')` is the same whatever else a study contains.
 * Distinct labels give statistically independent streams (tested: sibling correlations and a χ² test).
 *
 * Doubles: `uniform()` returns k / 2^53 for a uniformly random 53-bit k built from two outputs, in [0, 1).
 * Normals: Box–Muller on two uniforms (the second value is cached).
 */
// Hoisted: inside jest's vm sandbox every global `Math.x` lookup in a hot loop costs ~16× more than in node.
const { imul, sqrt, log, cos, sin, floor, PI } = Math;

export class RandomStream {
  /** The 128-bit key identifying this stream, as 32 hex digits (recorded in provenance). */
  readonly key: string;
  /** Human-readable derivation path, e.g. `seed=7/system:chain/replicate:0`. */
  readonly path: string;
  private readonly keyWords: Uint32Array;
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spareNormal: number | null = null;

  private constructor(keyWords: Uint32Array, path: string) {
    this.keyWords = keyWords;
    this.path = path;
    this.key = Array.from(keyWords, (w) => w.toString(16).padStart(8, '0')).join('');
    let x = keyWords[0]! ^ 0x9e3779b9;
    const next = (): number => {
      // SplitMix32 over the key words: every state word depends on all four key words.
      x = (x + 0x9e3779b9) | 0;
      let z = x ^ keyWords[1]! ^ imul(keyWords[2]!, 0x85ebca6b) ^ imul(keyWords[3]!, 0xc2b2ae35);
      z = imul(z ^ (z >>> 16), 0x85ebca6b);
      z = imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** The root stream of a study seed (a non-negative safe integer). */
  static fromSeed(seed: number): RandomStream {
    if (!Number.isSafeInteger(seed) || seed < 0) {
      throw new RangeError(`random seed: expected a non-negative safe integer, got ${seed}`);
    }
    const lo = seed >>> 0;
    const hi = floor(seed / 4294967296) >>> 0;
    const words = new Uint32Array([
      fmix32(lo ^ 0x243f6a88),
      fmix32(hi ^ 0x85a308d3),
      fmix32(lo + 0x13198a2e),
      fmix32(hi + 0x03707344),
    ]);
    return new RandomStream(words, `seed=${seed}`);
  }

  /** A child stream that depends only on this stream's key and `label`. */
  split(label: string | number): RandomStream {
    const text = String(label);
    const h = new Uint32Array(this.keyWords);
    const lanes = [0xcc9e2d51, 0x1b873593, 0xe6546b64, 0x85ebca6b];
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      for (let lane = 0; lane < 4; lane++) {
        let k = imul(c + lane * 0x9e3779b9 + i, lanes[lane]!);
        k = (k << 15) | (k >>> 17);
        k = imul(k, lanes[(lane + 1) & 3]!);
        let v = h[lane]! ^ k;
        v = (v << 13) | (v >>> 19);
        h[lane] = (imul(v, 5) + 0xe6546b64) >>> 0;
      }
    }
    // Cross-lane mixing and finalisation, including the label length.
    const n = text.length;
    for (let round = 0; round < 2; round++) {
      for (let lane = 0; lane < 4; lane++) {
        h[lane] = fmix32((h[lane]! ^ n) + h[(lane + 1) & 3]! + imul(h[(lane + 2) & 3]!, 0x27d4eb2d));
      }
    }
    return new RandomStream(h, `${this.path}/${text}`);
  }

  /** Next 32-bit unsigned integer. */
  nextUint32(): number {
    const result = imul(rotl(imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform double in [0, 1) with 53 random bits. */
  uniform(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** Uniform double in (0, 1): never exactly 0, safe for logarithms. */
  uniformOpen(): number {
    let u = this.uniform();
    while (u === 0) u = this.uniform();
    return u;
  }

  /** Uniform integer in [0, n) without modulo bias (n ≤ 2^32). */
  int(n: number): number {
    if (!(n >= 1 && n <= 4294967296) || !Number.isInteger(n))
      throw new RangeError(`int(n): n must be an integer in [1, 2^32], got ${n}`);
    const limit = 4294967296 - (4294967296 % n);
    let x = this.nextUint32();
    while (x >= limit) x = this.nextUint32();
    return x % n;
  }

  /** Standard normal deviate (Box–Muller). */
  normal(): number {
    if (this.spareNormal !== null) {
      const v = this.spareNormal;
      this.spareNormal = null;
      return v;
    }
    const r = sqrt(-2 * log(this.uniformOpen()));
    const theta = 2 * PI * this.uniform();
    this.spareNormal = r * sin(theta);
    return r * cos(theta);
  }

  /** Fills `out` with uniforms in [0, 1) (float32 arrays receive the rounded doubles). */
  fillUniform<T extends Float64Array | Float32Array>(out: T): T {
    for (let i = 0; i < out.length; i++) out[i] = this.uniform();
    return out;
  }

  /** Fills `out` with N(mean, sd²) deviates. */
  fillNormal<T extends Float64Array | Float32Array>(out: T, mean = 0, sd = 1): T {
    for (let i = 0; i < out.length; i++) out[i] = mean + sd * this.normal();
    return out;
  }

  /** Fisher–Yates shuffle in place. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = items[i]!;
      items[i] = items[j]!;
      items[j] = tmp;
    }
    return items;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
