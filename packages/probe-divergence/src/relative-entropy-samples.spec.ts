import { ProbeDataError, RandomStream, type Observation } from '@entroscope/core';
import { describeProbeConformance, measure } from '@entroscope/testing';
import { relativeEntropyDescriptor } from './relative-entropy-probe';

/**
 * The relative-entropy probe with the registered divergence estimators of continuous samples, against closed-form
 * Gaussian KL divergences: KL(N(0,1) ‖ N(1,4)) = 0.4431471806, reverse 1.3068528194; 2-D:
 * KL(N((1,0), [[1,.5],[.5,2]]) ‖ N((0,1), [[2,−.3],[−.3,1]])) = 1.0594505333, reverse 1.6133991301.
 */
type Gaussian = { mean: number[]; cov: number[] };
const P1: Gaussian = { mean: [0], cov: [1] };
const Q1: Gaussian = { mean: [1], cov: [4] };
const P2: Gaussian = { mean: [1, 0], cov: [1, 0.5, 0.5, 2] };
const Q2: Gaussian = { mean: [0, 1], cov: [2, -0.3, -0.3, 1] };

function draws(random: RandomStream, n: number, g: Gaussian): Float64Array {
  const d = g.mean.length;
  const v = new Float64Array(n * d);
  const l00 = Math.sqrt(g.cov[0]!);
  const l10 = d === 2 ? g.cov[2]! / l00 : 0;
  const l11 = d === 2 ? Math.sqrt(g.cov[3]! - l10 * l10) : 0;
  for (let i = 0; i < n; i++) {
    const a = random.normal();
    v[i * d] = g.mean[0]! + l00 * a;
    if (d === 2) v[i * d + 1] = g.mean[1]! + l10 * a + l11 * random.normal();
  }
  return v;
}

/** Sites 0, 1, 2 drawn from the given Gaussians; independent draws declare distinct unit sources. */
function sites(seed: number, n: number, laws: Gaussian[], declare = true): Observation[] {
  const root = RandomStream.fromSeed(seed).split('gaussian-sites');
  return laws.map((g, i) => ({
    system: 'g',
    site: { axis: 'layer', index: i },
    kind: 'samples',
    data: draws(root.split(`site:${i}`), n, g),
    shape: [n, g.mean.length],
    meta: declare ? { samples: { unitSource: `draw:${i}` } } : {},
  }));
}

const seed = Number(process.env['ESTIMATORS_SEED'] ?? 3);

describeProbeConformance(relativeEntropyDescriptor, [
  { params: { estimator: { use: 'gaussian', bootstrap: 10 } }, observations: async () => sites(1, 300, [P2, Q2]) },
  {
    params: { estimator: { use: 'knn-divergence', k: 3, bootstrap: 4, construction: 'C' } },
    observations: async () => sites(2, 400, [P1, Q1, P1], false),
  },
]);

describe('relative-entropy probe on continuous samples', () => {
  it('gaussian: D(p₀‖p₁) and D(p₁‖p₀) match the closed form within 4 standard errors (2-D, N = 4000)', async () => {
    const obs = sites(seed, 4000, [P2, Q2]);
    const [a0, a1] = await measure(relativeEntropyDescriptor, { estimator: { use: 'gaussian', bootstrap: 40 } }, obs);
    const [, c1] = await measure(
      relativeEntropyDescriptor,
      { estimator: { use: 'gaussian', bootstrap: 40, construction: 'C' } },
      obs,
    );
    expect(a1!.estimator).toBe('gaussian');
    expect(a1!.unit).toBe('nat');
    expect(a1!.meta['pairing']).toBe('independent');
    expect(a1!.meta['rows']).toEqual([4000, 4000]);
    // Bootstrap SE ≈ 0.03 at N = 4000 (measured); 4 SE.
    expect(Math.abs(a1!.value - 1.0594505333)).toBeLessThan(4 * a1!.uncertainty!);
    expect(Math.abs(c1!.value - 1.6133991301)).toBeLessThan(4 * c1!.uncertainty!);
    // The reference against itself: disjoint halves of its rows, ≈ 0 within 4 SE.
    expect(a0!.meta['pairing']).toBe('split');
    expect(a0!.meta['rows']).toEqual([2000, 2000]);
    expect(Math.abs(a0!.value)).toBeLessThan(4 * a0!.uncertainty!);
  });

  it('knn-divergence: KL(N(0,1)‖N(1,4)) = 0.4431 within its bias and 4 SE at N = 5000, and KL(p‖p) ≈ 0', async () => {
    const obs = sites(seed, 5000, [P1, Q1, P1]);
    const m = await measure(relativeEntropyDescriptor, { estimator: { use: 'knn-divergence', bootstrap: 12 } }, obs);
    // Subsampling SE ≈ 0.02 (measured SD of one estimate at N = 5000 is 0.02); the 1-D bias is below 0.01.
    expect(Math.abs(m[1]!.value - 0.4431471806)).toBeLessThan(4 * m[1]!.uncertainty! + 0.01);
    expect(Math.abs(m[2]!.value)).toBeLessThan(4 * m[2]!.uncertainty! + 0.01);
    expect(m[1]!.meta['resampling']).toMatchObject({ method: 'subsample', units: [5000, 5000] });
  });

  it('converges as N grows: the standard error falls about 4× for 16× the rows and the error stays within 4 SE', async () => {
    const se: number[] = [];
    for (const n of [500, 8000]) {
      const [, m] = await measure(
        relativeEntropyDescriptor,
        { estimator: { use: 'gaussian', bootstrap: 40 } },
        sites(seed + n, n, [P2, Q2]),
      );
      expect(Math.abs(m!.value - 1.0594505333)).toBeLessThan(4 * m!.uncertainty!);
      se.push(m!.uncertainty!);
    }
    // √16 = 4; bootstrap SEs from 40 replicates scatter by ≈ 11 % each, so the ratio lies in [2.8, 5.6].
    expect(se[0]! / se[1]!).toBeGreaterThan(2.8);
    expect(se[0]! / se[1]!).toBeLessThan(5.6);
  });

  it("splits sites that may be maps of the same samples ('auto'), and uses every row when told they are independent", async () => {
    const obs = sites(seed, 1000, [P2, Q2], false);
    const [, auto] = await measure(relativeEntropyDescriptor, { estimator: { use: 'gaussian', bootstrap: 0 } }, obs);
    expect(auto!.meta['pairing']).toBe('split');
    expect(auto!.meta['rows']).toEqual([500, 500]);
    const [, all] = await measure(
      relativeEntropyDescriptor,
      { estimator: { use: 'gaussian', bootstrap: 0, pairing: 'independent' } },
      obs,
    );
    expect(all!.meta['rows']).toEqual([1000, 1000]);
  });

  it('names the site and both dimensions when the variables differ, and refuses observations without samples', async () => {
    const obs = sites(seed, 100, [P2, Q1]);
    await expect(measure(relativeEntropyDescriptor, { estimator: { use: 'gaussian' } }, obs)).rejects.toThrow(
      /site layer=1: a sample has 1 values, the reference's \(site layer=0\) 2/,
    );
    const bare: Observation = { system: 'g', site: { axis: 'layer', index: 0 }, kind: 'samples', shape: [], meta: {} };
    await expect(measure(relativeEntropyDescriptor, { estimator: { use: 'knn-divergence' } }, [bare])).rejects.toThrow(
      ProbeDataError,
    );
    expect(() =>
      relativeEntropyDescriptor.paramsSchema.parse({ estimator: { use: 'knn-divergence', pairing: 'maybe' } }),
    ).toThrow();
  });
});
