import { ArgumentError, type RandomStream } from '@entroscope/core';

/**
 * RG maps applied to Monte Carlo configurations (row-major [count, L, L] Int8 arrays of ±1 spins), each returning
 * configurations of the L/2 × L/2 lattice (b = 2):
 *  - `majorityBlockSpin`: the block spin of each 2 × 2 block is the sign of its sum; ties (sum 0) are broken by a
 *    fair coin from `random` (Kadanoff block spin; the distribution of block spins is NOT an Ising model).
 *  - `decimateSquare`: keeps the sites (2i, 2j), i.e. two successive checkerboard decimations. The kept spins are
 *    exact samples of the true marginal of p_K on that sublattice (no truncation: every other spin is summed out
 *    exactly by simply ignoring it).
 * Plus `plaquettePatches`, the layout the block-pattern relative-entropy estimator uses.
 */
export type ConfigurationMap = 'block-spin' | 'decimation';

function checkConfigurations(where: string, data: Int8Array, count: number, L: number): void {
  if (!Number.isInteger(L) || L < 2 || L % 2 !== 0)
    throw new ArgumentError(`${where}: L`, 'an even lattice side ≥ 2', L);
  if (data.length !== count * L * L)
    throw new ArgumentError(`${where}: data`, `${count} × ${L} × ${L} = ${count * L * L} spins`, data.length);
}

/** Majority-rule block spins with b = 2 (ties broken at random). */
export function majorityBlockSpin(data: Int8Array, count: number, L: number, random: RandomStream): Int8Array {
  checkConfigurations('majorityBlockSpin', data, count, L);
  const l = L / 2;
  const out = new Int8Array(count * l * l);
  for (let c = 0; c < count; c++) {
    const base = c * L * L;
    const outBase = c * l * l;
    for (let i = 0; i < l; i++) {
      for (let j = 0; j < l; j++) {
        const a = base + 2 * i * L + 2 * j;
        const sum = data[a]! + data[a + 1]! + data[a + L]! + data[a + L + 1]!;
        out[outBase + i * l + j] = sum > 0 ? 1 : sum < 0 ? -1 : random.nextUint32() & 1 ? 1 : -1;
      }
    }
  }
  return out;
}

/** Keeps the spins at even (row, column): the exact marginal after two checkerboard decimations. */
export function decimateSquare(data: Int8Array, count: number, L: number): Int8Array {
  checkConfigurations('decimateSquare', data, count, L);
  const l = L / 2;
  const out = new Int8Array(count * l * l);
  for (let c = 0; c < count; c++) {
    const base = c * L * L;
    for (let i = 0; i < l; i++)
      for (let j = 0; j < l; j++) out[c * l * l + i * l + j] = data[base + 2 * i * L + 2 * j]!;
  }
  return out;
}

/**
 * Cuts each L × L configuration into non-overlapping P × P patches and writes every patch as one row of P² spins
 * in plaquette-major order: the 4 spins of each 2 × 2 plaquette are consecutive (top-left, top-right,
 * bottom-left, bottom-right), plaquettes in row-major order. A block-pattern estimator with block length 4 then
 * sees exactly the 2 × 2 plaquette patterns. Returns [rows, P²] with rows = count · (L/P)².
 */
export function plaquettePatches(
  data: Int8Array,
  count: number,
  L: number,
  P: number,
): { data: Int8Array; rows: number; length: number } {
  checkConfigurations('plaquettePatches', data, count, L);
  if (!Number.isInteger(P) || P < 2 || P % 2 !== 0 || L % P !== 0)
    throw new ArgumentError('plaquettePatches: P', `an even patch side dividing L = ${L}`, P);
  const per = (L / P) ** 2;
  const rows = count * per;
  const length = P * P;
  const out = new Int8Array(rows * length);
  let k = 0;
  for (let c = 0; c < count; c++) {
    const base = c * L * L;
    for (let pi = 0; pi < L; pi += P) {
      for (let pj = 0; pj < L; pj += P) {
        for (let qi = 0; qi < P; qi += 2) {
          for (let qj = 0; qj < P; qj += 2) {
            const a = base + (pi + qi) * L + pj + qj;
            out[k++] = data[a]!;
            out[k++] = data[a + 1]!;
            out[k++] = data[a + L]!;
            out[k++] = data[a + L + 1]!;
          }
        }
      }
    }
  }
  return { data: out, rows, length };
}
