import {
  CRITICAL_COUPLING_2D as Kc,
  fisherInformation2d,
  freeEnergy2d,
  nearestNeighbourCorrelation2d,
} from './ising-2d-exact';
import { Ising2dDensityOfStates, fisherPeakFinite, kaufmanAverages } from './ising-2d-finite';

// docs/science/rg-ising.md §2.7: exact 4×4 periodic values (enumeration of 2^16 states). Class E: ±1 in the last quoted digit.
const close = (actual: number, quoted: string) =>
  expect(Math.abs(actual - Number(quoted))).toBeLessThanOrEqual(Math.max(1e-12, 10 ** -quoted.split('.')[1]!.length));

/** Brute force without Gray code or tables: sums over all states directly (independent of the class under test). */
function bruteForce(K: number, w: number, h: number) {
  const N = w * h;
  let z = 0;
  let sumB = 0;
  let sumAbsM = 0;
  for (let state = 0; state < 1 << N; state++) {
    const spin = (x: number, y: number) => ((state >> (((y + h) % h) * w + ((x + w) % w))) & 1 ? 1 : -1);
    let B = 0;
    let M = 0;
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        B += spin(x, y) * (spin(x + 1, y) + spin(x, y + 1));
        M += spin(x, y);
      }
    const weight = Math.exp(K * B);
    z += weight;
    sumB += weight * B;
    sumAbsM += weight * Math.abs(M);
  }
  return { logZ: Math.log(z) / N, u: sumB / z / (2 * N), absM: sumAbsM / z / N };
}

describe('finite periodic square lattices', () => {
  const dos = new Ising2dDensityOfStates(4, 4);
  it.each([
    [0.3, '0.799095207857', '0.422027036812', '4.8999183731', '0.5203580030', '0.3576467969'],
    ['Kc', '0.970119716172', '0.782811893819', '4.0331990990', '0.8438604448', '0.7613589086'],
    [0.5, '1.069085444921', '0.877690144389', '2.4221306288', '0.9189432674', '0.8689216816'],
  ] as const)('4×4 enumeration at K = %s matches the §2.7 table', (k, lnZ, u, varB, absM, m2) => {
    const a = dos.averages(k === 'Kc' ? Kc : k);
    close(a.logPartitionPerSite, lnZ);
    close(a.nearestNeighbourCorrelation, u);
    close(a.bondVariancePerSite, varB);
    close(a.absMagnetisation, absM);
    close(a.magnetisationSquared, m2);
  });

  it('the Gray-code enumeration agrees with a direct sum over states (3×4, class E)', () => {
    const table = new Ising2dDensityOfStates(3, 4);
    for (const K of [0.2, 0.6]) {
      const a = table.averages(K);
      const b = bruteForce(K, 3, 4);
      expect(Math.abs(a.logPartitionPerSite - b.logZ)).toBeLessThan(1e-13);
      expect(Math.abs(a.nearestNeighbourCorrelation - b.u)).toBeLessThan(1e-13);
      expect(Math.abs(a.absMagnetisation - b.absM)).toBeLessThan(1e-13);
    }
  });

  it("Kaufman's closed form equals enumeration on 4×4, 3×3 and non-square 4×5 / 5×4 tori (class E)", () => {
    for (const [w, h] of [
      [4, 4],
      [3, 3],
      [4, 5],
    ] as const) {
      const table = new Ising2dDensityOfStates(w, h);
      for (const K of [0.05, 0.3, Kc, 0.44, 0.7, 1.5]) {
        const exact = table.averages(K);
        for (const [rows, columns] of [
          [h, w],
          [w, h],
        ]) {
          const k = kaufmanAverages(K, rows!, columns!);
          expect(Math.abs(k.logPartitionPerSite - exact.logPartitionPerSite)).toBeLessThan(1e-12);
          expect(Math.abs(k.nearestNeighbourCorrelation - exact.nearestNeighbourCorrelation)).toBeLessThan(1e-12);
          expect(Math.abs(k.bondVariancePerSite - exact.bondVariancePerSite)).toBeLessThan(1e-10);
        }
      }
    }
  });

  it('large tori converge to Onsager away from K_c (exponentially in L/ξ; ln 2/N from the two ordered states)', () => {
    for (const K of [0.3, 0.55]) {
      const L = 256;
      const k = kaufmanAverages(K, L, L);
      const degeneracy = K > Kc ? Math.LN2 / (L * L) : 0;
      expect(Math.abs(k.logPartitionPerSite - degeneracy - freeEnergy2d(K))).toBeLessThan(1e-12);
      expect(Math.abs(k.nearestNeighbourCorrelation - nearestNeighbourCorrelation2d(K))).toBeLessThan(1e-12);
      expect(Math.abs(k.bondVariancePerSite - fisherInformation2d(K))).toBeLessThan(1e-9);
    }
  });

  it('the finite-lattice Fisher peak approaches K_c from below with shift ∝ 1/L', () => {
    const shifts = [16, 32, 64].map((L) => ({ L, shift: Kc - fisherPeakFinite(L).K }));
    for (const { shift } of shifts) expect(shift).toBeGreaterThan(0);
    // L · shift tends to a constant (≈ 0.18 for the specific-heat peak of the torus).
    const scaled = shifts.map(({ L, shift }) => L * shift);
    expect(Math.abs(scaled[2]! - scaled[1]!)).toBeLessThan(0.2 * scaled[2]!);
    expect(scaled[2]!).toBeGreaterThan(0.1);
    expect(scaled[2]!).toBeLessThan(0.3);
  });

  it('refuses lattices too large to enumerate', () => {
    expect(() => new Ising2dDensityOfStates(5, 5)).toThrow(/≤ 24/);
  });
});
