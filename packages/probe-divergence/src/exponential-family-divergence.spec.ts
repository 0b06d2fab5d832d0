import { firstValueFrom, toArray } from 'rxjs';
import { ising1dDescriptor } from '@entroscope/system-ising';
import { testContext } from '@entroscope/testing';
import type { ExponentialFamilyExact, Observation } from '@entroscope/core';
import {
  exponentialFamilyDivergenceFinite,
  exponentialFamilyDivergencePerSite,
  type Construction,
} from './exponential-family-divergence';

// Reference tables: docs/science/rg-ising.md §1.4 (to 1e-12, or ±1 in the last quoted digit).
const tolerance = (quoted: string) => Math.max(1e-12, 10 ** -quoted.split('.')[1]!.length);

async function chain(params: Record<string, unknown>): Promise<ExponentialFamilyExact[]> {
  const system = ising1dDescriptor.create(ising1dDescriptor.paramsSchema.parse(params), testContext());
  const observations: Observation[] = await firstValueFrom(system.observe().pipe(toArray()));
  return observations.map((o) => o.exact as ExponentialFamilyExact);
}

describe('exponential-family relative entropy on the 1D Ising decimation flow', () => {
  const table: [number, Construction, string[], string][] = [
    [0.5, 'A', ['0.034053888218', '0.090895759931', '0.109985132450', '0.110942072806'], '0.110944071671727'],
    [1.0, 'A', ['0.028316438253', '0.121268243454', '0.247688146997', '0.318138195489'], '0.327813325472738'],
    [0.5, 'B', ['0.099454651073', '0.110684009373', '0.110943801330', '0.110944071671'], '0.110944071671727'],
    [1.0, 'B', ['0.238209571391', '0.313385437756', '0.327010929522', '0.327808196656'], '0.327813325472738'],
    [0.5, 'C', ['0.036317214639', '0.098352470774', '0.119076781259', '0.120112344232'], '0.120114506958277'],
    [1.0, 'C', ['0.032962680260', '0.155062616964', '0.327015011726', '0.421052050415'], '0.433780830483027'],
  ];
  it.each(table)(
    'K = %s, construction %s matches the reference d(1…4) and asymptote',
    async (K, construction, values, asymptote) => {
      const sites = await chain({ K, steps: 4 });
      const reference = sites[0]!;
      values.forEach((quoted, i) => {
        const site = sites[i + 1]!;
        const d = exponentialFamilyDivergencePerSite(reference, site.natural, site.siteFraction, construction);
        expect(Math.abs(d - Number(quoted))).toBeLessThanOrEqual(tolerance(quoted));
      });
      const limit = exponentialFamilyDivergencePerSite(reference, reference.flowLimit!, 0, construction);
      expect(Math.abs(limit - Number(asymptote))).toBeLessThanOrEqual(tolerance(asymptote));
      // Closed forms of the asymptotes: A and B → K tanh K − ln cosh K; C → ln cosh K.
      const closed = construction === 'C' ? Math.log(Math.cosh(K)) : K * Math.tanh(K) - Math.log(Math.cosh(K));
      expect(Math.abs(limit - closed)).toBeLessThan(1e-14);
    },
  );

  it('reproduces the field case (K, h) = (0.5, 0.2): d_A(1…4) and asymptote', async () => {
    const sites = await chain({ K: 0.5, h: 0.2, steps: 4 });
    const expected = ['0.0266614068516', '0.0685885394303', '0.0801998383495', '0.0805827013552'];
    expected.forEach((quoted, i) => {
      const d = exponentialFamilyDivergencePerSite(sites[0]!, sites[i + 1]!.natural, sites[i + 1]!.siteFraction, 'A');
      expect(Math.abs(d - Number(quoted))).toBeLessThanOrEqual(tolerance(quoted));
    });
    expect(
      Math.abs(exponentialFamilyDivergencePerSite(sites[0]!, sites[0]!.flowLimit!, 0, 'A') - 0.0805830544242),
    ).toBeLessThanOrEqual(1e-13);
  });

  it('relates B to the information lost per step: d_B(1) = ½[ln 2 − (2s(K) − s(K′))]', async () => {
    for (const [K, lost] of [
      [0.5, 0.494237878414],
      [1, 0.216728037777],
    ] as const) {
      const sites = await chain({ K, steps: 1 });
      const dB = exponentialFamilyDivergencePerSite(sites[0]!, sites[1]!.natural, 0.5, 'B');
      expect(Math.abs(dB - 0.5 * (Math.LN2 - lost))).toBeLessThan(1e-12);
    }
  });

  it('is zero at the reference site and increases monotonically along the flow (A, B, C)', async () => {
    for (const K of [0.3, 1.5, 3]) {
      const sites = await chain({ K, h: 0.1, steps: 10 });
      for (const c of ['A', 'B', 'C'] as const) {
        const d = sites.map((s) => exponentialFamilyDivergencePerSite(sites[0]!, s.natural, s.siteFraction, c));
        expect(Math.abs(d[0]!)).toBeLessThan(1e-15);
        for (let n = 1; n < d.length; n++) expect(d[n]!).toBeGreaterThanOrEqual(d[n - 1]! - 1e-15);
      }
    }
  });
});

/** Exact enumeration of the 1D ring: ln p(s) for every configuration. */
function ringLogProbabilities(K: number, n: number): Float64Array {
  const energies = new Float64Array(1 << n);
  for (let state = 0; state < 1 << n; state++) {
    let e = 0;
    for (let i = 0; i < n; i++) e += ((state >> i) & 1 ? 1 : -1) * ((state >> ((i + 1) % n)) & 1 ? 1 : -1);
    energies[state] = K * e;
  }
  const logZ = Math.log(energies.reduce((a, e) => a + Math.exp(e), 0));
  return energies.map((e) => e - logZ);
}

describe('finite-ring relative entropies against brute-force enumeration', () => {
  it('matches the N = 8, K = 0.5 reference values (total A, per-site B, marginal identity)', async () => {
    const sites = await chain({ K: 0.5, steps: 1, ringSize: 8 });
    const A = exponentialFamilyDivergenceFinite(sites[0]!, sites[1]!.natural, 0.5, 'A');
    expect(Math.abs(A - 0.278357570774468)).toBeLessThan(1e-12);
    const B = exponentialFamilyDivergenceFinite(sites[0]!, sites[1]!.natural, 0.5, 'B') / 8;
    expect(Math.abs(B - 0.100214811441701)).toBeLessThan(1e-12);
  });

  it.each([
    [0.5, 6, 1],
    [1.1, 8, 2],
    [0.3, 8, 3],
    [2.0, 10, 1],
  ])('K = %s, N = %s, n = %s: A, B and C equal the enumerated KL to 1e-12', async (K, N, n) => {
    const sites = await chain({ K, steps: n, ringSize: N });
    const Kn = sites[n]!.natural[0]!;
    const p = ringLogProbabilities(K, N);
    const pn = ringLogProbabilities(Kn, N);
    const kept = N / 2 ** n;
    const pKept = ringLogProbabilities(Kn, kept);
    let dA = 0;
    let dC = 0;
    let dB = 0;
    for (let s = 0; s < 1 << N; s++) {
      dA += Math.exp(p[s]!) * (p[s]! - pn[s]!);
      dC += Math.exp(pn[s]!) * (pn[s]! - p[s]!);
      // q_n: kept spins (every 2^n-th) at K_n on the kept ring, removed spins uniform.
      let keptState = 0;
      for (let j = 0; j < kept; j++) if ((s >> (j * 2 ** n)) & 1) keptState |= 1 << j;
      dB += Math.exp(p[s]!) * (p[s]! - (pKept[keptState]! - (N - kept) * Math.LN2));
    }
    for (const [c, brute] of [
      ['A', dA],
      ['B', dB],
      ['C', dC],
    ] as const) {
      expect(
        Math.abs(exponentialFamilyDivergenceFinite(sites[0]!, sites[n]!.natural, sites[n]!.siteFraction, c) - brute),
      ).toBeLessThan(1e-12);
    }
  });
});
