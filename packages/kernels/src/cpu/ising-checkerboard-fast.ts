import { ArgumentError } from '@entroscope/core';
import { acceptanceTable, checkLattice } from './ising-checkerboard-cpu';
import type { Xoshiro128 } from './xoshiro128';

/**
 * Tuned checkerboard Metropolis sweep (parity 0 then parity 1) of the 2D Ising model; same lattice and update
 * as `isingCheckerboardHalfSweepCpu`, with the random words generated inline.
 *
 * Exact equivalence (tested): this equals two calls of the twin with, for each half-sweep, uniforms
 * u_c = x_c / 2^32 where x_0, x_1, … are successive outputs of `rng` (L²/2 per half-sweep). The acceptance test
 * u < p is done in integers as x < ⌈p·2^32⌉, which is exact. The generator state advances by L² words.
 * Why it is fast: integer thresholds, no modulo in the inner loop (edges peeled), xoshiro128** in registers.
 */
export function isingCheckerboardSweepFast(
  spins: Int8Array,
  L: number,
  K: number,
  rng: Xoshiro128,
  halfSweeps: 1 | 2 = 2,
  firstParity: 0 | 1 = 0,
): number {
  checkLattice('isingCheckerboardSweepFast', spins, L);
  if (firstParity !== 0 && firstParity !== 1)
    throw new ArgumentError('isingCheckerboardSweepFast: firstParity', '0 or 1', firstParity);
  const thr = checkerboardThresholds(K);
  let accepted = 0;
  for (let h = 0; h < halfSweeps; h++)
    accepted += checkerboardHalfSweepRows(spins, L, 0, L, (firstParity + h) & 1, thr, rng.state, 0);
  return accepted;
}

/** Signed integer thresholds ⌈p·2^32⌉ − 2^31 of the five acceptance probabilities (see checkerboardHalfSweepRows). */
export function checkerboardThresholds(K: number): Float64Array {
  const p = acceptanceTable(K);
  const thr = new Float64Array(5);
  for (let idx = 0; idx < 5; idx++) thr[idx] = Math.ceil(p[idx]! * 4294967296) - 2147483648;
  return thr;
}

/**
 * The tuned Metropolis update of rows [rowStart, rowEnd) for one parity, drawing one xoshiro128** word per
 * visited site (row-major) from the state at state[offset…offset+3] (read into registers, written back).
 * Returns the accepted flips. Self-contained (no outer references) so worker threads run it from its source.
 */
export function checkerboardHalfSweepRows(
  spins: Int8Array,
  L: number,
  rowStart: number,
  rowEnd: number,
  parity: number,
  thr: Float64Array,
  state: Uint32Array,
  offset: number,
): number {
  let s0 = state[offset]! | 0;
  let s1 = state[offset + 1]! | 0;
  let s2 = state[offset + 2]! | 0;
  let s3 = state[offset + 3]! | 0;
  let accepted = 0;
  for (let i = rowStart; i < rowEnd; i++) {
    const row = i * L;
    const up = (i === 0 ? L - 1 : i - 1) * L;
    const down = (i === L - 1 ? 0 : i + 1) * L;
    for (let j = (i + parity) & 1; j < L; j += 2) {
      const s = spins[row + j]!;
      const left = j === 0 ? spins[row + L - 1]! : spins[row + j - 1]!;
      const right = j === L - 1 ? spins[row]! : spins[row + j + 1]!;
      const x = s * (spins[up + j]! + spins[down + j]! + left + right);
      // xoshiro128** step with the state in locals; r is the output as int32.
      const m = Math.imul(s1, 5);
      const r = Math.imul((m << 7) | (m >>> 25), 9);
      const t = s1 << 9;
      s2 ^= s0;
      s3 ^= s1;
      s1 ^= s2;
      s0 ^= s3;
      s2 ^= t;
      s3 = (s3 << 11) | (s3 >>> 21);
      // Branch-free flip (the acceptance branch is unpredictable near K_c); x < ⌈p·2^32⌉ ⇔ (r ^ 2^31) < ⌈p·2^32⌉ − 2^31.
      const f = +((r ^ -2147483648) < thr[(x + 4) >> 1]!);
      spins[row + j] = s - 2 * s * f;
      accepted += f;
    }
  }
  state[offset] = s0;
  state[offset + 1] = s1;
  state[offset + 2] = s2;
  state[offset + 3] = s3;
  return accepted;
}
