import { RandomStream } from '@entroscope/core';
import { binnedStates, fixedBinValue, float32Edges } from './binning';
import { defaultEstimatorRegistry } from './builtin-estimators';
import { discreteEntropy, discreteMutualInformation } from './discrete-entropy';
import { estimateWithUncertainty } from './estimate';
import { estimatedQuantities, estimatorChoiceSchema } from './estimator-registry';
import { logDetCholesky } from './gaussian';
import { kolchinskyTraceyEntropy, kolchinskyTraceyMutualInformation } from './kde-bounds';
import {
  knnKlDivergence,
  kozachenkoLeonenkoEntropy,
  ksgConditionalMutualInformation,
  ksgMutualInformation,
} from './knn-estimators';
import type { SampleMatrix } from './sample-matrix';
import { digamma, logGamma } from './special-functions';
import { donskerVaradhanBound, infoNceBound, nwjBound } from './variational-bounds';

/**
 * Conformance suite of the estimators: exact oracles (closed forms, enumeration, published tables), invariants
 * (symmetry, sample order, monotone maps, KL(p‖p) = 0), convergence with N, and the accuracy a correct KSG reaches.
 * Tolerances are stated beside each check; statistical ones come from the spread measured over independent draws.
 */

const bits = Math.LN2;
const registry = defaultEstimatorRegistry();

function gaussianPair(random: RandomStream, n: number, rho: number): { x: SampleMatrix; y: SampleMatrix } {
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  const s = Math.sqrt(1 - rho * rho);
  for (let i = 0; i < n; i++) {
    x[i] = random.normal();
    y[i] = rho * x[i]! + s * random.normal();
  }
  return { x: { values: x, n, d: 1 }, y: { values: y, n, d: 1 } };
}

const col = (v: number[]): SampleMatrix => ({ values: Float64Array.from(v), n: v.length, d: 1 });
const meanSd = (v: number[]) => {
  const m = v.reduce((a, b) => a + b, 0) / v.length;
  return { mean: m, sd: Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / (v.length - 1)) };
};

describe('special functions', () => {
  it('digamma and ln Γ match known values', () => {
    expect(digamma(1)).toBeCloseTo(-0.5772156649015329, 13);
    expect(digamma(0.5)).toBeCloseTo(-1.9635100260214235, 13);
    expect(digamma(100)).toBeCloseTo(4.600161852738087, 12);
    expect(logGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 13);
    expect(logGamma(10)).toBeCloseTo(Math.log(362880), 12);
  });
});

describe('registry', () => {
  it('registers every estimator once, each named, documented and with a strict schema', () => {
    expect(registry.ids()).toEqual([
      'plug-in',
      'binning',
      'gaussian',
      'kozachenko-leonenko',
      'ksg',
      'knn-divergence',
      'kde-bounds',
      'matrix-entropy',
      'infonce',
      'nwj',
      'donsker-varadhan',
    ]);
    for (const d of registry.list()) {
      expect(d.name.length).toBeGreaterThan(2);
      expect(d.assumptions.length).toBeGreaterThan(20);
      expect(d.citation.length).toBeGreaterThan(5);
      expect(d.quantities.every((q) => estimatedQuantities.includes(q))).toBe(true);
      expect(() => d.paramsSchema.parse({ use: d.id, unknownKey: 1 })).toThrow();
    }
    expect(() => registry.register(registry.get('ksg'))).toThrow(/share the id 'ksg'/);
    expect(() => registry.get('nope')).toThrow(/unknown estimator 'nope'. Known estimators: plug-in/);
    expect(() => registry.get('kozachenko-leonenko', 'mutual-information')).toThrow(
      /an estimator of mutual-information/,
    );
  });

  it("a study's `estimator: { use: ksg, k: 4 }` parses to the KSG parameters with defaults", () => {
    const schema = estimatorChoiceSchema(registry, ['mutual-information']);
    expect(schema.parse({ use: 'ksg', k: 4 })).toEqual({
      use: 'ksg',
      k: 4,
      algorithm: 1,
      standardise: true,
      search: 'auto',
      noise: 1e-10,
      bootstrap: 50,
      level: 0.95,
      permutations: 0,
      blockLength: 1,
    });
    expect(() => schema.parse({ use: 'kozachenko-leonenko' })).toThrow();
    expect(() => schema.parse({ use: 'ksg', k: 0 })).toThrow();
  });
});

describe('discrete oracles', () => {
  // Plug-in MI of short sequences in bits (the values informjs's test suite asserts to 6 decimals).
  it.each([
    [[1, 0, 0, 1, 0, 0, 1, 0], [2, 0, 1, 2, 0, 1, 2, 0], 0.954434],
    [[0, 0, 1, 1, 1, 1, 0, 0, 0], [1, 1, 0, 0, 0, 0, 1, 1, 1], 0.991076],
    [[1, 1, 0, 1, 0, 1, 1, 1, 0], [1, 1, 0, 0, 0, 1, 0, 1, 1], 0.07278],
    [[0, 0, 1, 1, 2, 1, 1, 0, 0], [0, 0, 0, 1, 1, 1, 0, 0, 0], 0.473851],
    [
      [...Array(6).fill(0), ...Array(6).fill(1)],
      [...Array(4).fill(0), ...Array(4).fill(1), ...Array(4).fill(2)],
      0.666667,
    ],
  ])('I(%j; %j) = %d bits', (x, y, expected) => {
    expect(Math.abs(discreteMutualInformation(x, y) / bits - expected)).toBeLessThan(1e-6);
    expect(discreteMutualInformation(y, x)).toBeCloseTo(discreteMutualInformation(x, y), 14);
  });

  it('16 zeros then 4 ones against a 20-sample sequence: 0.214170945007629 bits; XOR: I(X1;Y) = 0, I(X1X2;Y) = 1 bit', () => {
    const x = [...Array(16).fill(0), ...Array(4).fill(1)];
    const y = [0, 0, ...Array(14).fill(1), 0, 0, 0, 1];
    expect(Math.abs(discreteMutualInformation(x, y) / bits - 0.214170945007629)).toBeLessThan(1e-12);
    const x1 = [0, 0, 1, 1];
    const xor = [0, 1, 1, 0];
    const est = registry.get('plug-in');
    const params = est.paramsSchema.parse({ use: 'plug-in', correction: 'none' });
    const r = RandomStream.fromSeed(0);
    expect(est.estimate('mutual-information', { x: col(x1), y: col(xor) }, params, r).value).toBe(0);
    const pair: SampleMatrix = { values: Float64Array.from([0, 0, 0, 1, 1, 0, 1, 1]), n: 4, d: 2 };
    expect(est.estimate('mutual-information', { x: pair, y: col(xor) }, params, r).value / bits).toBeCloseTo(1, 14);
    expect(discreteEntropy([0, 0, 1, 2]) / bits).toBeCloseTo(1.5, 14);
  });
});

describe('Gaussian oracles', () => {
  it('Cholesky log-determinants give the closed-form entropy of Σ = [[2,1,.5],[1,3,1],[.5,1,1.5]] = 5.1314155270', () => {
    const S = [2, 1, 0.5, 1, 3, 1, 0.5, 1, 1.5];
    expect(0.5 * (3 * Math.log(2 * Math.PI * Math.E) + logDetCholesky(S, 3))).toBeCloseTo(5.131415527, 9);
    expect(logDetCholesky([1, 1, 1, 1], 2)).toBe(-Infinity);
  });

  it('the bias-corrected log-determinant is unbiased: the mean of 200 draws at N = 20, d = 3 matches ln det Σ', () => {
    // NPEET's 3-D covariance [[4,3,1],[3,4,1],[1,1,2]]: H = ½ ln((2πe)³ det Σ). Per-draw SD of Ĥ ≈ 0.3 at N = 20,
    // so the 200-draw mean has SE ≈ 0.02; the plug-in bias at N = 20 is ≈ −0.35 (distinguishable at > 10 SE).
    const L = [2, 0, 0, 1.5, Math.sqrt(4 - 2.25), 0, 0.5, (1 - 0.75) / Math.sqrt(1.75), 0];
    L[8] = Math.sqrt(2 - L[6]! ** 2 - L[7]! ** 2);
    const exactH =
      0.5 * (3 * Math.log(2 * Math.PI * Math.E) + Math.log(4 * 4 * 2 + 2 * 3 * 1 * 1 - 4 * 1 - 4 * 1 - 2 * 9));
    const est = registry.get('gaussian');
    const random = RandomStream.fromSeed(21);
    const corrected: number[] = [];
    const plain: number[] = [];
    for (let r = 0; r < 200; r++) {
      const g = random.split(`draw:${r}`);
      const v = new Float64Array(60);
      for (let i = 0; i < 20; i++) {
        const e = [g.normal(), g.normal(), g.normal()];
        for (let a = 0; a < 3; a++) v[i * 3 + a] = L[a * 3]! * e[0]! + L[a * 3 + 1]! * e[1]! + L[a * 3 + 2]! * e[2]!;
      }
      const x = { values: v, n: 20, d: 3 };
      corrected.push(est.estimate('entropy', { x }, { use: 'gaussian', biasCorrected: true }, g).value);
      plain.push(est.estimate('entropy', { x }, { use: 'gaussian', biasCorrected: false }, g).value);
    }
    const c = meanSd(corrected);
    expect(Math.abs(c.mean - exactH)).toBeLessThan(4 * (c.sd / Math.sqrt(200)));
    // The plug-in is biased by ½[d ln 2 + Σ_{i=1}^{d} ψ((N−i)/2) − d ln(N − 1)] ≈ −0.138 here: the mean shows it.
    const bias = 0.5 * (3 * Math.LN2 + digamma(19 / 2) + digamma(18 / 2) + digamma(17 / 2) - 3 * Math.log(19));
    const p = meanSd(plain);
    expect(Math.abs(p.mean - exactH - bias)).toBeLessThan(4 * (p.sd / Math.sqrt(200)));
    expect(bias).toBeLessThan(-0.1);
  });

  it('MI and conditional MI of NPEET’s 3-D case (0.4133392866, 0.3568832339 nats) within 4 SE at N = 20 000', () => {
    const L = [2, 0, 0, 1.5, Math.sqrt(1.75), 0, 0.5, 0.25 / Math.sqrt(1.75), 0];
    L[8] = Math.sqrt(2 - L[6]! ** 2 - L[7]! ** 2);
    const n = 20_000;
    const g = RandomStream.fromSeed(8);
    const v = new Float64Array(n * 3);
    for (let i = 0; i < n; i++) {
      const e = [g.normal(), g.normal(), g.normal()];
      for (let a = 0; a < 3; a++) v[i * 3 + a] = L[a * 3]! * e[0]! + L[a * 3 + 1]! * e[1]! + L[a * 3 + 2]! * e[2]!;
    }
    const pick = (j: number): SampleMatrix => ({
      values: Float64Array.from({ length: n }, (_, i) => v[i * 3 + j]!),
      n,
      d: 1,
    });
    const est = registry.get('gaussian');
    const p = { use: 'gaussian', biasCorrected: true };
    // SE of the Gaussian MI estimate ≈ ρ/√N·… ≈ 0.005 here (measured spread over draws 0.004).
    expect(
      Math.abs(est.estimate('mutual-information', { x: pick(0), y: pick(1) }, p, g).value - 0.4133392866),
    ).toBeLessThan(0.02);
    expect(
      Math.abs(
        est.estimate('conditional-mutual-information', { x: pick(0), y: pick(1), z: pick(2) }, p, g).value -
          0.3568832339,
      ),
    ).toBeLessThan(0.02);
  });
});

describe('Kozachenko–Leonenko entropy', () => {
  it('standard normals at N = 1000, k = 3: the mean of 10 draws is within the known bias ± 0.03 + 3 SE (d = 1, 2, 5)', () => {
    // Known bias of a correct implementation (Euclidean, k = 3, N = 1000): −0.0009, −0.0145, −0.0764 (SD 0.034,
    // 0.042, 0.053); independent re-runs differ by ≈ 0.01, hence ± 0.03 plus 3 SE of a 10-draw mean.
    const cases: [number, number, number][] = [
      [1, -0.0009, 0.034],
      [2, -0.0145, 0.042],
      [5, -0.0764, 0.053],
    ];
    for (const [d, bias, sd] of cases) {
      const exact = (d / 2) * Math.log(2 * Math.PI * Math.E);
      const values: number[] = [];
      for (let r = 0; r < 10; r++) {
        const g = RandomStream.fromSeed(100 + r).split(`kl:${d}`);
        const x = { values: g.fillNormal(new Float64Array(1000 * d)), n: 1000, d };
        values.push(kozachenkoLeonenkoEntropy(x, { k: 3, norm: 'euclidean', standardise: false, noise: 0 }));
      }
      expect(Math.abs(meanSd(values).mean - exact - bias)).toBeLessThan(0.03 + (3 * sd) / Math.sqrt(10));
    }
  });

  it('uniform[0,2] (ln 2) and exponential(1) (1 nat) within 0.03 at N = 20 000; the max-norm agrees', () => {
    const g = RandomStream.fromSeed(4);
    const n = 20_000;
    const u = { values: Float64Array.from({ length: n }, () => 2 * g.uniform()), n, d: 1 };
    const e = { values: Float64Array.from({ length: n }, () => -Math.log(g.uniformOpen())), n, d: 1 };
    for (const norm of ['euclidean', 'max'] as const) {
      expect(
        Math.abs(kozachenkoLeonenkoEntropy(u, { k: 3, norm, standardise: false, noise: 0 }) - Math.LN2),
      ).toBeLessThan(0.03);
      expect(Math.abs(kozachenkoLeonenkoEntropy(e, { k: 3, norm, standardise: false, noise: 0 }) - 1)).toBeLessThan(
        0.03,
      );
    }
  });
});

describe('KSG mutual information', () => {
  const opts = (k: number, algorithm: 1 | 2) => ({ k, algorithm, standardise: false, noise: 0 });

  it('bivariate Gaussians at N = 1000 (20 draws per ρ): mean within ±0.03 of the known mean of a correct implementation, SD within a factor 1.6', () => {
    // Known mean ± SD (200 replicates) of KSG1/KSG2 at k = 3 for ρ = 0, 0.5, 0.9, 0.99. A 20-draw mean has SE ≈ SD/4.5
    // ≈ 0.009; ±0.03 is > 3 SE. The SD of 20 draws estimates the true SD within ±35 % (χ² with 19 d.o.f., 99 %).
    const table: [number, number, number, number, number][] = [
      [0, 0.0023, 0.0233, -0.0009, 0.0259],
      [0.5, 0.1485, 0.0276, 0.1465, 0.0305],
      [0.9, 0.838, 0.039, 0.8366, 0.0371],
      [0.99, 1.9822, 0.0369, 1.9775, 0.0374],
    ];
    for (const [rho, m1, s1, m2, s2] of table) {
      const a1: number[] = [];
      const a2: number[] = [];
      for (let r = 0; r < 20; r++) {
        const { x, y } = gaussianPair(RandomStream.fromSeed(7).split(`rho:${rho}:${r}`), 1000, rho);
        a1.push(ksgMutualInformation(x, y, opts(3, 1)).value);
        a2.push(ksgMutualInformation(x, y, opts(3, 2)).value);
      }
      for (const [values, m, s] of [
        [a1, m1, s1],
        [a2, m2, s2],
      ] as const) {
        const { mean, sd } = meanSd(values);
        expect(Math.abs(mean - m)).toBeLessThan(0.03);
        expect(sd / s).toBeGreaterThan(1 / 1.6);
        expect(sd / s).toBeLessThan(1.6);
      }
    }
  });

  it('is symmetric, invariant to sample order, and (within statistical error) to monotone per-variable maps', () => {
    const { x, y } = gaussianPair(RandomStream.fromSeed(9), 2000, 0.6);
    const a = ksgMutualInformation(x, y, opts(4, 1)).value;
    expect(ksgMutualInformation(y, x, opts(4, 1)).value).toBeCloseTo(a, 12);
    const order = RandomStream.fromSeed(10).shuffle([...Array(2000).keys()]);
    const px = { values: Float64Array.from(order, (i) => x.values[i]!), n: 2000, d: 1 };
    const py = { values: Float64Array.from(order, (i) => y.values[i]!), n: 2000, d: 1 };
    expect(ksgMutualInformation(px, py, opts(4, 1)).value).toBeCloseTo(a, 12);
    // (eˣ, y³): the SD of one N = 2000 estimate is ≈ 0.015; the transformed estimate shares the ranks, so the
    // difference is far smaller; 0.05 allows for the changed neighbour geometry.
    const ex = { values: Float64Array.from(x.values, Math.exp), n: 2000, d: 1 };
    const y3 = { values: Float64Array.from(y.values, (v) => v * v * v), n: 2000, d: 1 };
    expect(Math.abs(ksgMutualInformation(ex, y3, opts(4, 1)).value - 0.2231435513)).toBeLessThan(0.06);
    expect(Math.abs(a - 0.2231435513)).toBeLessThan(0.05);
  });

  it('converges: the |error| of the mean of 4 draws at ρ = 0.9 shrinks from N = 250 to N = 4000 and is < 0.02 there', () => {
    const err = (n: number) => {
      const v = [0, 1, 2, 3].map((r) => {
        const { x, y } = gaussianPair(RandomStream.fromSeed(31).split(`n:${n}:${r}`), n, 0.9);
        return ksgMutualInformation(x, y, opts(4, 1)).value;
      });
      return Math.abs(meanSd(v).mean - 0.8303656034);
    };
    const small = err(250);
    const large = err(4000);
    expect(large).toBeLessThan(0.02);
    expect(large).toBeLessThan(small + 0.005);
  });

  it('conditional MI of NPEET’s 3-D Gaussian (0.3568832339 nats) within 0.05 at N = 5000', () => {
    const n = 5000;
    const g = RandomStream.fromSeed(12);
    const x = new Float64Array(n);
    const y = new Float64Array(n);
    const z = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      // cov = Mᵀ diag(3,1,1) M with M = [[1,1,0],[1,0,1],[0,1,1]]: (x, y, z) = Mᵀ (√3 a, b, c).
      const a = Math.sqrt(3) * g.normal();
      const b = g.normal();
      const c = g.normal();
      x[i] = a + b;
      y[i] = a + c;
      z[i] = b + c;
    }
    const v = ksgConditionalMutualInformation(
      { values: x, n, d: 1 },
      { values: y, n, d: 1 },
      { values: z, n, d: 1 },
      { k: 4, standardise: true, noise: 0 },
    );
    expect(Math.abs(v - 0.3568832339)).toBeLessThan(0.05);
  });
});

describe('kNN KL divergence', () => {
  it('KL(N(0,1) ‖ N(1,4)) = 0.4431471806 and KL(p‖p) ≈ 0 from independent sample sets (N = 5000, mean of 4)', () => {
    const draws = (label: string, mean: number, sd: number) => ({
      values: RandomStream.fromSeed(13).split(label).fillNormal(new Float64Array(5000), mean, sd),
      n: 5000,
      d: 1,
    });
    const kl: number[] = [];
    const same: number[] = [];
    for (let r = 0; r < 4; r++) {
      kl.push(knnKlDivergence(draws(`p:${r}`, 0, 1), draws(`q:${r}`, 1, 2), { k: 3, norm: 'euclidean', noise: 0 }));
      same.push(knnKlDivergence(draws(`p:${r}`, 0, 1), draws(`p2:${r}`, 0, 1), { k: 3, norm: 'euclidean', noise: 0 }));
    }
    // Per-estimate SD ≈ 0.02 at N = 5000 (measured); mean of 4 → SE 0.01; tolerance 0.04.
    expect(Math.abs(meanSd(kl).mean - 0.4431471806)).toBeLessThan(0.04);
    expect(Math.abs(meanSd(same).mean)).toBeLessThan(0.04);
  });
});

describe('Kolchinsky–Tracey bounds', () => {
  // Mixture entropies and MI bounds of equal-weight 1-D Gaussian mixtures (exact by quadrature, 8 decimals).
  it.each([
    [[-1, 1], 0.1, 0.95407782, 0.96079317, 0.68643183, 0.69314718],
    [[-1, 1], 1.0, 1.63800873, 1.9851577, 0.2190702, 0.56621917],
    [[0, 1, 3], 0.25, 1.43354023, 1.73957468, 0.70774888, 1.01378333],
    [[0, 0.1], 1.0, 1.41956334, 1.42143541, 0.0006248, 0.00249688],
  ])('centres %j, σ² = %d: entropy and MI bounds', (centres, variance, hLow, hUp, iLow, iUp) => {
    const h = col(centres);
    expect(kolchinskyTraceyEntropy(h, variance, 'lower')).toBeCloseTo(hLow, 7);
    expect(kolchinskyTraceyEntropy(h, variance, 'upper')).toBeCloseTo(hUp, 7);
    expect(kolchinskyTraceyMutualInformation(h, variance, 'lower')).toBeCloseTo(iLow, 7);
    expect(kolchinskyTraceyMutualInformation(h, variance, 'upper')).toBeCloseTo(iUp, 7);
    expect(kolchinskyTraceyMutualInformation(h, variance, 'upper')).toBeLessThanOrEqual(
      Math.log(centres.length) + 1e-12,
    );
  });
});

describe('information-plane binning (12-bit task)', () => {
  const patterns = Array.from({ length: 4096 }, (_, p) => Array.from({ length: 12 }, (_, b) => (p >> (11 - b)) & 1));
  const pop = (bitsOf: number[]) => bitsOf.reduce((a, b) => a + b, 0);
  const labels = patterns.map((x) => (pop(x) >= 7 || (pop(x) === 6 && x[0] === 1) ? 1 : 0));

  it('reproduces the fixed-edge semantics: 0 → −0.0344828, −1.2 wraps to +1, 1 → 1', () => {
    const edges = float32Edges(-1, 1, 30);
    expect(fixedBinValue(0, edges)).toBeCloseTo(-0.0344828, 6);
    expect(fixedBinValue(-1.2, edges)).toBe(1);
    expect(fixedBinValue(1, edges)).toBe(1);
    const b = binnedStates({ values: [-1.2, 1, 0.5], n: 3, d: 1 }, { scheme: 'fixed', range: [-1, 1], edges: 30 });
    expect(b.codes[0]).toBe(b.codes[1]);
    expect(b.wrapped).toBe(1);
  });

  it('test vectors: T = X (12, 1 bits), first bit (1, 0.1522725269), fraction of ones (2.838529, 0.7744140625)', () => {
    const est = registry.get('binning');
    const params = est.paramsSchema.parse({ use: 'binning', binDiscrete: true });
    const r = RandomStream.fromSeed(0);
    const y = col(labels);
    const layer = (f: (x: number[]) => number[]): SampleMatrix => {
      const d = f(patterns[0]!).length;
      return { values: Float64Array.from(patterns.flatMap(f)), n: 4096, d };
    };
    const check = (t: SampleMatrix, hx: number, ity: number) => {
      expect(est.estimate('entropy', { x: t }, params, r).value / bits).toBeCloseTo(hx, 6);
      expect(est.estimate('mutual-information', { x: t, y }, params, r).value / bits).toBeCloseTo(ity, 6);
    };
    check(
      layer((x) => x),
      12,
      1,
    );
    check(
      layer((x) => [x[0]!]),
      1,
      0.1522725269,
    );
    check(
      layer((x) => [pop(x) / 12]),
      2.838529,
      0.7744140625,
    );
  });
});

describe('variational bounds from a critic matrix', () => {
  it('InfoNCE ≤ ln K for any matrix and → ln K as the diagonal grows; DV ≥ NWJ', () => {
    const g = RandomStream.fromSeed(14);
    for (let t = 0; t < 20; t++) {
      const K = 2 + g.int(30);
      const s = Float64Array.from({ length: K * K }, () => 5 * g.normal());
      expect(infoNceBound(s)).toBeLessThanOrEqual(Math.log(K) + 1e-12);
      expect(donskerVaradhanBound(s)).toBeGreaterThanOrEqual(nwjBound(s) - 1e-12);
    }
    const K = 16;
    const big = Float64Array.from({ length: K * K }, (_, i) => (i % (K + 1) === 0 ? 60 : 0));
    expect(infoNceBound(big)).toBeCloseTo(Math.log(K), 10);
  });
});

describe('uncertainty', () => {
  it('carries the resampling summary and a permutation null for MI, labelled with every parameter', () => {
    const { x, y } = gaussianPair(RandomStream.fromSeed(15), 400, 0.5);
    const ksg = registry.get('ksg');
    const params = estimatorChoiceSchema(registry, ['mutual-information']).parse({
      use: 'ksg',
      k: 4,
      bootstrap: 20,
      permutations: 20,
    });
    const r = estimateWithUncertainty(ksg, 'mutual-information', { x, y }, params, RandomStream.fromSeed(16));
    expect(r.estimator).toBe('ksg');
    expect(r.params).toMatchObject({ k: 4, algorithm: 1, bootstrap: 20, permutations: 20 });
    expect(r.uncertainty!.method).toBe('subsample');
    expect(r.uncertainty!.standardError).toBeGreaterThan(0.005);
    expect(r.uncertainty!.standardError).toBeLessThan(0.1);
    expect(r.null!.pValue).toBeCloseTo(1 / 21, 10);
    expect(Math.abs(r.null!.mean)).toBeLessThan(0.03);
    const again = estimateWithUncertainty(ksg, 'mutual-information', { x, y }, params, RandomStream.fromSeed(16));
    expect(again).toEqual(r);
  });

  it('interval coverage is near nominal on an oracle: Gaussian MI at ρ = 0.5, N = 200, 95 % bootstrap over 80 draws', () => {
    // Coverage of a nominal 95 % interval over 80 independent draws: binomial SD ≈ 2.4 %; accept 85–100 %.
    const est = registry.get('gaussian');
    let covered = 0;
    for (let r = 0; r < 80; r++) {
      const { x, y } = gaussianPair(RandomStream.fromSeed(17).split(`draw:${r}`), 200, 0.5);
      const e = estimateWithUncertainty(
        est,
        'mutual-information',
        { x, y },
        { use: 'gaussian', biasCorrected: true, bootstrap: 100, level: 0.95 },
        RandomStream.fromSeed(18).split(`${r}`),
      );
      const [lo, hi] = e.uncertainty!.interval!;
      if (lo <= 0.1438410362 && 0.1438410362 <= hi) covered++;
    }
    expect(covered / 80).toBeGreaterThan(0.85);
  });
});
