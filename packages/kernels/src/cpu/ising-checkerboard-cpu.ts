import { ArgumentError, type RandomStream } from '@entroscope/core';

/**
 * One checkerboard Metropolis half-sweep of the 2D Ising model (reference semantics of the
 * `ising-checkerboard-half-sweep` kernel).
 *
 * Lattice: L×L, periodic, L even (≥ 2) so the checkerboard is bipartite; `spins[i·L + j]` ∈ {−1, +1} is
 * row i, column j; coupling K = βJ (dimensionless), field 0, H/kT = −K Σ_⟨ij⟩ s_i s_j.
 * The half-sweep visits every site with (i + j) & 1 === parity, in row-major order, and flips s with
 * probability min(1, exp(−2K·s·Σnn)), Σnn the sum of the four neighbours. Sites of one parity only have
 * neighbours of the other parity, so the order is immaterial and the update is equivalent to a parallel one.
 *
 * Randomness: the c-th visited site (c = 0, 1, … in row-major order) consumes `uniforms[c]` and flips iff
 * uniforms[c] < min(1, exp(−2K·s·Σnn)) (so a uniform in [0, 1) always flips when ΔE ≤ 0). Exactly L²/2
 * uniforms are used; the array may be longer. The probability is evaluated in float64.
 *
 * Returns the number of accepted flips.
 */
export function isingCheckerboardHalfSweepCpu(
  spins: Int8Array,
  L: number,
  K: number,
  parity: 0 | 1,
  uniforms: Float32Array | Float64Array,
): number {
  checkLattice('isingCheckerboardHalfSweepCpu', spins, L);
  if (parity !== 0 && parity !== 1) throw new ArgumentError('isingCheckerboardHalfSweepCpu: parity', '0 or 1', parity);
  const half = (L * L) / 2;
  if (uniforms.length < half)
    throw new ArgumentError(
      'isingCheckerboardHalfSweepCpu: uniforms',
      `at least L²/2 = ${half} uniforms`,
      `${uniforms.length}`,
    );
  // Acceptance by s·Σnn ∈ {−4, −2, 0, 2, 4}, index (s·Σnn + 4) / 2.
  const accept = acceptanceTable(K);
  let c = 0;
  let accepted = 0;
  for (let i = 0; i < L; i++) {
    const up = ((i + L - 1) % L) * L;
    const down = ((i + 1) % L) * L;
    const row = i * L;
    for (let j = (i + parity) & 1; j < L; j += 2) {
      const left = j === 0 ? L - 1 : j - 1;
      const right = j === L - 1 ? 0 : j + 1;
      const s = spins[row + j]!;
      const nn = spins[up + j]! + spins[down + j]! + spins[row + left]! + spins[row + right]!;
      // Branch-free flip (the acceptance branch is unpredictable near K_c).
      const flip = +(uniforms[c++]! < accept[(s * nn + 4) >> 1]!);
      spins[row + j] = s - 2 * s * flip;
      accepted += flip;
    }
  }
  return accepted;
}

/**
 * A full sweep: parity 0 then parity 1, each with L²/2 fresh uniforms drawn from `random.uniform()` (float64,
 * 53 bits) in site order just before its half-sweep. Returns the number of accepted flips.
 */
export function isingCheckerboardSweepCpu(spins: Int8Array, L: number, K: number, random: RandomStream): number {
  checkLattice('isingCheckerboardSweepCpu', spins, L);
  const uniforms = new Float64Array((L * L) / 2);
  let accepted = 0;
  for (const parity of [0, 1] as const) {
    random.fillUniform(uniforms);
    accepted += isingCheckerboardHalfSweepCpu(spins, L, K, parity, uniforms);
  }
  return accepted;
}

/** min(1, exp(−2K·x)) for x = s·Σnn = −4, −2, 0, 2, 4 (index (x + 4)/2), float64. */
export function acceptanceTable(K: number): Float64Array {
  if (!Number.isFinite(K)) throw new ArgumentError('ising checkerboard: K', 'a finite coupling', K);
  const table = new Float64Array(5);
  for (let idx = 0; idx < 5; idx++) table[idx] = Math.min(1, Math.exp(-2 * K * (2 * idx - 4)));
  return table;
}

export function checkLattice(where: string, spins: Int8Array, L: number): void {
  if (!Number.isInteger(L) || L < 2 || L % 2 !== 0)
    throw new ArgumentError(`${where}: L`, 'an even integer ≥ 2 (periodic checkerboard)', L);
  if (!(spins instanceof Int8Array) || spins.length !== L * L) {
    throw new ArgumentError(
      `${where}: spins`,
      `an Int8Array of L² = ${L * L} spins ±1`,
      spins instanceof Int8Array ? `${spins.length} elements` : Object.prototype.toString.call(spins),
    );
  }
}
