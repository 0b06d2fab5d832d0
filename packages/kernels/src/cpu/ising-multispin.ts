import { ArgumentError } from '@entroscope/core';
import type { Xoshiro128 } from './xoshiro128';

/** Replicas carried by one multispin word (one bit each). */
export const MULTISPIN_REPLICAS = 32;

/**
 * Multispin-coded checkerboard Metropolis sweep of 32 independent 2D Ising replicas (Jacobs & Rebbi 1981;
 * Zorn, Herrmann & Rebbi 1981): `words[i·L + j]` holds site (i, j) of replica r in bit r (1 = spin +1,
 * 0 = spin −1). Lattice, coupling and update order are those of `isingCheckerboardHalfSweepCpu` (periodic,
 * L even, field 0, parity 0 then parity 1), applied bitwise to all replicas at once.
 *
 * With a = number of anti-aligned neighbours (0…4), s·Σnn = 4 − 2a and the Metropolis probability is 1 for
 * a ≥ 2, q = e^{−4K} for a = 1 and q² = e^{−8K} for a = 0. Each replica gets its own random bits: 32 bit-sliced
 * uniforms (one random word per binary digit) are compared, digit by digit from the most significant, with q
 * in the bits where a = 1 and with q² in the bits where a = 0, stopping once every such bit is decided (at most
 * 32 digits: probabilities are used to 2^−32 precision; about 6 words per site at K_c).
 * Only the bits that need a decision consume digits, so the replicas stay independent Markov chains, each
 * with the Metropolis stationary distribution (tested against exact enumeration on a 4×4 lattice).
 * Randomness: the xoshiro128** stream `rng` (advanced by a data-dependent number of words).
 * Valid for K ≥ 0 (ferromagnet; for K < 0 the roles of a flip — use the scalar kernels).
 * Returns nothing; 32·L² spin-flip attempts per call.
 */
export function isingMultispinSweep(words: Int32Array, L: number, K: number, rng: Xoshiro128): void {
  if (!Number.isInteger(L) || L < 2 || L % 2 !== 0)
    throw new ArgumentError('isingMultispinSweep: L', 'an even integer ≥ 2', L);
  if (!(words instanceof Int32Array) || words.length !== L * L)
    throw new ArgumentError('isingMultispinSweep: words', `an Int32Array of L² = ${L * L} words`, words?.length);
  if (!(K >= 0) || !Number.isFinite(K)) throw new ArgumentError('isingMultispinSweep: K', 'a finite coupling K ≥ 0', K);
  // Binary digits of q = e^{−4K} (a = 1) and q² = e^{−8K} (a = 0) as all-ones / all-zeros masks, most significant first.
  const digits1 = binaryDigitMasks(Math.exp(-4 * K));
  const digits0 = binaryDigitMasks(Math.exp(-8 * K));
  // K = 0: every flip is accepted with certainty (not merely with probability 1 − 2^−32).
  const always1 = Math.exp(-4 * K) >= 1 ? -1 : 0;
  const always0 = Math.exp(-8 * K) >= 1 ? -1 : 0;
  for (let parity = 0; parity < 2; parity++)
    multispinHalfSweepRows(words, L, 0, L, parity, digits1, digits0, always1, always0, rng.state, 0);
}

/**
 * The multispin Metropolis update of rows [rowStart, rowEnd) for one parity, drawing from the xoshiro128**
 * state stored at state[offset…offset+3] (read into registers and written back). Self-contained (no outer
 * references) so worker threads can run it from its source text.
 */
export function multispinHalfSweepRows(
  words: Int32Array,
  L: number,
  rowStart: number,
  rowEnd: number,
  parity: number,
  digits1: Int32Array,
  digits0: Int32Array,
  always1: number,
  always0: number,
  state: Int32Array | Uint32Array,
  offset: number,
): void {
  let s0 = state[offset]! | 0;
  let s1 = state[offset + 1]! | 0;
  let s2 = state[offset + 2]! | 0;
  let s3 = state[offset + 3]! | 0;
  for (let i = rowStart; i < rowEnd; i++) {
    const row = i * L;
    const up = (i === 0 ? L - 1 : i - 1) * L;
    const down = (i === L - 1 ? 0 : i + 1) * L;
    for (let j = (i + parity) & 1; j < L; j += 2) {
      const s = words[row + j]!;
      const x1 = s ^ words[up + j]!;
      const x2 = s ^ words[down + j]!;
      const x3 = s ^ (j === 0 ? words[row + L - 1]! : words[row + j - 1]!);
      const x4 = s ^ (j === L - 1 ? words[row]! : words[row + j + 1]!);
      // Bit-sliced count of anti-aligned neighbours.
      const h1 = x1 ^ x2;
      const c1 = x1 & x2;
      const h2 = x3 ^ x4;
      const c2 = x3 & x4;
      const atLeast2 = c1 | c2 | (h1 & h2);
      const exactly1 = (h1 ^ h2) & ~(c1 | c2);
      const none = ~(x1 | x2 | x3 | x4);
      // One bit-sliced uniform per replica, compared with q (a = 1 bits) or q² (a = 0 bits).
      let undecided = (exactly1 & ~always1) | (none & ~always0);
      let less = (exactly1 & always1) | (none & always0);
      for (let d = 0; undecided !== 0 && d < 32; d++) {
        const m = Math.imul(s1, 5);
        const w = Math.imul((m << 7) | (m >>> 25), 9);
        const t = s1 << 9;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = (s3 << 11) | (s3 >>> 21);
        const pd = (exactly1 & digits1[d]!) | (none & digits0[d]!);
        less |= undecided & ~w & pd;
        undecided &= ~(w ^ pd);
      }
      words[row + j] = s ^ (atLeast2 | less);
    }
  }
  state[offset] = s0;
  state[offset + 1] = s1;
  state[offset + 2] = s2;
  state[offset + 3] = s3;
}

/** The first 32 binary digits of p ∈ [0, 1] as masks (−1 for digit 1, 0 for digit 0); p = 1 gives all ones. */
export function binaryDigitMasks(p: number): Int32Array {
  const digits = new Int32Array(32);
  if (p >= 1) return digits.fill(-1);
  let frac = p;
  for (let d = 0; d < 32; d++) {
    frac *= 2;
    if (frac >= 1) {
      digits[d] = -1;
      frac -= 1;
    }
  }
  return digits;
}

/** Packs up to 32 replicas (Int8Array spins ±1, length L²) into multispin words; missing replicas are +1. */
export function packReplicas(replicas: readonly Int8Array[], L: number): Int32Array {
  if (replicas.length > MULTISPIN_REPLICAS)
    throw new ArgumentError('packReplicas', `at most ${MULTISPIN_REPLICAS} replicas`, replicas.length);
  const words = new Int32Array(L * L).fill(-1);
  replicas.forEach((spins, r) => {
    if (spins.length !== L * L) throw new ArgumentError(`packReplicas: replica ${r}`, `${L * L} spins`, spins.length);
    for (let x = 0; x < spins.length; x++) if (spins[x]! < 0) words[x] = words[x]! & ~(1 << r);
  });
  return words;
}

/** Spins ±1 of replica r (0…31). */
export function unpackReplica(words: Int32Array, r: number, out?: Int8Array): Int8Array {
  if (!Number.isInteger(r) || r < 0 || r >= MULTISPIN_REPLICAS)
    throw new ArgumentError('unpackReplica: r', 'an integer in 0…31', r);
  const spins = out ?? new Int8Array(words.length);
  for (let x = 0; x < words.length; x++) spins[x] = (words[x]! >>> r) & 1 ? 1 : -1;
  return spins;
}

/** Magnetisation per site, m_r = (1/L²) Σ s, of each of the 32 replicas. */
export function multispinMagnetisations(words: Int32Array): Float64Array {
  const up = new Float64Array(MULTISPIN_REPLICAS);
  for (let x = 0; x < words.length; x++) {
    const w = words[x]!;
    for (let r = 0; r < MULTISPIN_REPLICAS; r++) up[r] += (w >>> r) & 1;
  }
  const n = words.length;
  return up.map((count) => (2 * count - n) / n);
}

/** Bond energy per site, e_r = −(1/L²) Σ_⟨ij⟩ s_i s_j (2L² bonds), of each of the 32 replicas. */
export function multispinEnergies(words: Int32Array, L: number): Float64Array {
  const anti = new Float64Array(MULTISPIN_REPLICAS);
  for (let i = 0; i < L; i++) {
    for (let j = 0; j < L; j++) {
      const s = words[i * L + j]!;
      const a = s ^ words[((i + 1) % L) * L + j]!;
      const b = s ^ words[i * L + ((j + 1) % L)]!;
      for (let r = 0; r < MULTISPIN_REPLICAS; r++) anti[r] += ((a >>> r) & 1) + ((b >>> r) & 1);
    }
  }
  const n = L * L;
  // Σ s_i s_j = bonds − 2·anti-aligned.
  return anti.map((count) => -(2 * n - 2 * count) / n);
}
