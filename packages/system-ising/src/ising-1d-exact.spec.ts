import {
  correlationLength1d,
  decimate1d,
  decimationFlow1d,
  entropy1d,
  flowLimit1d,
  freeEnergy1d,
  logPartitionRing1d,
  magnetisation1d,
  meanStatisticsRing1d,
  nearestNeighbourCorrelation1d,
} from './ising-1d-exact';

// Reference values: docs/science/rg-ising.md §1.4. Class E (exact): 1e-12 absolute, or ±1 in the last
// quoted digit when fewer digits are quoted.
const lastDigit = (quoted: string) =>
  10 ** -quoted.split('.')[1]!.replace(/e.*/, '').length *
  (quoted.includes('e-') ? 10 ** Number(quoted.split('e')[1]) : 1);

/** Brute-force ln Z, ⟨Σ s_i s_{i+1}⟩ and ⟨Σ s_i⟩ on a ring of n spins. */
export function enumerateRing(K: number, h: number, n: number) {
  let z = 0;
  let bonds = 0;
  let spins = 0;
  for (let state = 0; state < 1 << n; state++) {
    let e = 0;
    let m = 0;
    for (let i = 0; i < n; i++) {
      const s = (state >> i) & 1 ? 1 : -1;
      const t = (state >> ((i + 1) % n)) & 1 ? 1 : -1;
      e += s * t;
      m += s;
    }
    const w = Math.exp(K * e + h * m);
    z += w;
    bonds += w * e;
    spins += w * m;
  }
  return { logZ: Math.log(z), bonds: bonds / z, spins: spins / z };
}

describe('1D Ising exact results', () => {
  it.each([
    [0.5, ['0.216890415241514', '0.045636226043551', '0.002079779872463', '4.325471845e-6']],
    [1.0, ['0.662501373678932', '0.350061138945253', '0.113672067460211', '0.012811542035820', '1.64117652147e-4']],
  ] as const)('decimation flow from K = %s matches the reference sequence', (K, expected) => {
    const flow = decimationFlow1d(K, 0, expected.length);
    expected.forEach((quoted, n) => {
      expect(Math.abs(flow[n + 1]!.K - Number(quoted))).toBeLessThanOrEqual(Math.max(1e-12, lastDigit(quoted)));
      expect(flow[n + 1]!.h).toBe(0);
    });
  });

  it('satisfies tanh K′ = tanh² K to one unit in the last place (≤ 1.1e-16 here)', () => {
    // The science brief quotes 1e-16; in double precision the spacing of numbers near 1 is 2.2e-16, so
    // one ulp of tanh²K (Number.EPSILON × value) is the strictest meaningful bound.
    for (const K of [0.1, 0.5, 1, 2, 5]) {
      const expected = Math.tanh(K) ** 2;
      expect(Math.abs(Math.tanh(decimate1d(K, 0).K) - expected)).toBeLessThanOrEqual(Number.EPSILON * expected);
    }
  });

  it('matches the reference free energies, correlation lengths and entropies', () => {
    expect(Math.abs(freeEnergy1d(0.5, 0) - 0.813261687518223)).toBeLessThan(1e-12);
    expect(Math.abs(freeEnergy1d(1, 0) - 1.126928011042972)).toBeLessThan(1e-12);
    expect(Math.abs(correlationLength1d(0.5, 0) - 1.295443)).toBeLessThan(1e-6);
    expect(Math.abs(correlationLength1d(1, 0) - 3.671861)).toBeLessThan(1e-6);
    expect(Math.abs(entropy1d(0.5, 0) - 0.582203108888)).toBeLessThan(1e-12);
    expect(Math.abs(entropy1d(1, 0) - 0.365333855087)).toBeLessThan(1e-12);
    expect(nearestNeighbourCorrelation1d(0.7, 0)).toBeCloseTo(Math.tanh(0.7), 15);
  });

  it('halves the correlation length with each decimation', () => {
    for (const K of [0.5, 1, 2])
      expect(correlationLength1d(decimate1d(K, 0).K, 0)).toBeCloseTo(correlationLength1d(K, 0) / 2, 12);
  });

  it('reproduces the field case (K, h) = (0.5, 0.2)', () => {
    const d = decimate1d(0.5, 0.2);
    expect(Math.abs(d.K - 0.211176597060596)).toBeLessThan(1e-12);
    expect(Math.abs(d.h - 0.351467705632805)).toBeLessThan(1e-12);
    expect(Math.abs(d.g - 0.462095924730274)).toBeLessThan(1e-12);
    expect(Math.abs(freeEnergy1d(0.5, 0.2) - 0.864252120646205)).toBeLessThan(1e-12);
    expect(Math.abs(magnetisation1d(0.5, 0.2) - 0.480091200379312)).toBeLessThan(1e-12);
    expect(Math.abs(nearestNeighbourCorrelation1d(0.5, 0.2) - 0.551615439263195)).toBeLessThan(1e-12);
    expect(Math.abs(flowLimit1d(0.5, 0.2).h - 0.5231027879443)).toBeLessThan(1e-13);
  });

  it('satisfies f(K, h) = g + ½ f(K′, h′) to machine precision', () => {
    for (const [K, h] of [
      [0.5, 0.2],
      [1, -0.3],
      [2, 1.5],
      [0.05, 0.01],
    ] as const) {
      const d = decimate1d(K, h);
      expect(Math.abs(freeEnergy1d(K, h) - (d.g + 0.5 * freeEnergy1d(d.K, d.h)))).toBeLessThan(1e-14);
    }
  });

  it('gives ε and m equal to derivatives of f (central differences, 1e-8)', () => {
    const step = 1e-5;
    for (const [K, h] of [
      [0.5, 0.2],
      [1.3, -0.7],
    ] as const) {
      expect(nearestNeighbourCorrelation1d(K, h)).toBeCloseTo(
        (freeEnergy1d(K + step, h) - freeEnergy1d(K - step, h)) / (2 * step),
        8,
      );
      expect(magnetisation1d(K, h)).toBeCloseTo(
        (freeEnergy1d(K, h + step) - freeEnergy1d(K, h - step)) / (2 * step),
        8,
      );
    }
  });

  it('gives ring ln Z_N and its gradient equal to exact enumeration (1e-12)', () => {
    for (const [K, h, n] of [
      [0.5, 0, 8],
      [0.5, 0.2, 6],
      [1.2, -0.4, 10],
      [-0.3, 0.1, 7],
    ] as const) {
      const brute = enumerateRing(K, h, n);
      expect(Math.abs(logPartitionRing1d(K, h, n) - brute.logZ)).toBeLessThan(1e-12);
      const [dK, dh] = meanStatisticsRing1d(K, h, n);
      expect(Math.abs(dK - brute.bonds)).toBeLessThan(1e-12);
      expect(Math.abs(dh - brute.spins)).toBeLessThan(1e-12);
    }
  });

  it('stays finite for strong couplings and fields', () => {
    for (const [K, h] of [
      [40, 0],
      [20, 30],
      [0, 49],
    ] as const) {
      expect(Number.isFinite(freeEnergy1d(K, h))).toBe(true);
      const d = decimate1d(K, h);
      expect(Number.isFinite(d.K) && Number.isFinite(d.h) && Number.isFinite(d.g)).toBe(true);
    }
  });
});
