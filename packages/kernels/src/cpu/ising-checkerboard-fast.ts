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
export function isingCheckerboardSweepFast(spins: Int8Array, L: number, K: number, rng: Xoshiro128, halfSweeps: 1 | 2 = 2, firstParity: 0 | 1 = 0): number {
  checkLattice('isingCheckerboardSweepFast', spins, L);
  if (firstParity !== 0 && firstParity !== 1) throw new ArgumentError('isingCheckerboardSweepFast: firstParity', '0 or 1', firstParity);
  const p = acceptanceTable(K);
  // Signed thresholds: for a 32-bit word x (int32 r in registers), x < ⌈p·2^32⌉ ⇔ (r ^ 2^31) < ⌈p·2^32⌉ − 2^31.
  const thr = new Float64Array(5);
  for (let idx = 0; idx < 5; idx++) thr[idx] = Math.ceil(p[idx]! * 4294967296) - 2147483648;
  const st = rng.state;
  let s0 = st[0]! | 0;
  let s1 = st[1]! | 0;
  let s2 = st[2]! | 0;
  let s3 = st[3]! | 0;
  let accepted = 0;
  for (let h = 0; h < halfSweeps; h++) {
    const parity = (firstParity + h) & 1;
    for (let i = 0; i < L; i++) {
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
        // Branch-free flip: the acceptance branch is unpredictable near K_c.
        const f = +((r ^ -2147483648) < thr[(x + 4) >> 1]!);
        spins[row + j] = s - 2 * s * f;
        accepted += f;
      }
    }
  }
  st[0] = s0;
  st[1] = s1;
  st[2] = s2;
  st[3] = s3;
  return accepted;
}

