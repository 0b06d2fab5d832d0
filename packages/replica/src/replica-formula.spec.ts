import { RandomStream, type StochasticLayer, type StochasticNetworkExact } from '@entroscope/core';
import { gaussLegendre } from './quadrature';
import { erfc, erfcReference } from './normal';
import { linearChainInformation, multiply, symmetricEigenvalues, transpose } from './linear-algebra';
import { replicaLayer, replicaLayers, ReplicaAssumptionError } from './stochastic-network';

const gaussian = (
  inputs: number,
  outputs: number,
  channel: string,
  noiseVariance: number,
  variance = 1,
): StochasticLayer => ({
  inputs,
  outputs,
  ensemble: { kind: 'gaussian-iid', variance },
  channel,
  noiseVariance,
});
const network = (
  layers: StochasticLayer[],
  prior: StochasticNetworkExact['prior'] = { kind: 'normal', mean: 0, variance: 1 },
): StochasticNetworkExact => ({
  type: 'stochastic-network',
  prior,
  inputDimension: layers[0]!.inputs,
  layers,
});

/** ½ ∫ ln(1 + s λ/Δ) dμ(λ), μ the Marchenko–Pastur law of WᵀW (W n_out × n_in, entries N(0, σ²/n_in)), α = n_out/n_in. */
function marchenkoPastur(alpha: number, sigma2: number, signal: number, delta: number): number {
  const y = 1 / alpha;
  const a = (1 - Math.sqrt(y)) ** 2;
  const b = (1 + Math.sqrt(y)) ** 2;
  const { nodes, weights } = gaussLegendre(400);
  let sum = 0;
  for (let i = 0; i < nodes.length; i++) {
    const t = (Math.PI / 2) * (nodes[i]! + 1);
    const mu = a + ((b - a) * (1 - Math.cos(t))) / 2;
    const density = ((b - a) ** 2 * Math.sin(t) ** 2) / 4 / (2 * Math.PI * y * mu);
    sum += (Math.PI / 2) * weights[i]! * density * 0.5 * Math.log(1 + (signal * sigma2 * alpha * mu) / delta);
  }
  return sum; // the atom at λ = 0 (mass 1 − α when α < 1) contributes ln 1 = 0
}

function gaussianMatrix(random: RandomStream, rows: number, cols: number, variance: number): Float64Array {
  const w = new Float64Array(rows * cols);
  const s = Math.sqrt(variance / cols);
  for (let i = 0; i < w.length; i++) w[i] = s * random.normal();
  return w;
}

describe('normal distribution helpers', () => {
  it('the tabulated erfc agrees with the direct series / continued fraction to 1e-10 relative, and with published values to 1e-12 (the series loses ~1e-14 to cancellation near x = 2)', () => {
    let worst = 0;
    for (let x = -7; x < 11; x += 0.000937)
      worst = Math.max(worst, Math.abs(erfc(x) - erfcReference(x)) / erfcReference(x));
    expect(worst).toBeLessThan(1e-10);
    // erfc(0.5) = 0.4795001221869535, erfc(2) = 0.004677734981047266, erfc(5) = 1.5374597944280349e-12.
    expect(Math.abs(erfc(0.5) / 0.4795001221869535 - 1)).toBeLessThan(1e-12);
    expect(Math.abs(erfc(2) / 0.004677734981047266 - 1)).toBeLessThan(1e-12);
    expect(Math.abs(erfc(5) / 1.5374597944280349e-12 - 1)).toBeLessThan(1e-12);
  });
});

describe('replica formula: one linear layer, Gaussian weights (exact)', () => {
  // I/n₀ for a Normal(0, 1) input: the published table (8 digits; tolerance 5e-9, half a unit in the last digit).
  const table: Array<[number, number, number]> = [
    [0.5, 0.01, 1.07948314],
    [0.5, 0.1, 0.54157791],
    [0.5, 1, 0.1583838],
    [1, 0.01, 1.90012674],
    [1, 0.1, 0.94383303],
    [1, 1, 0.29022882],
    [2, 0.01, 2.50068325],
    [2, 0.1, 1.39023105],
    [2, 1, 0.49436716],
  ];
  it.each(table)('α = %p, Δ = %p: I/n₀ equals the oracle and the Marchenko–Pastur integral', (alpha, delta, oracle) => {
    const r = replicaLayer(network([gaussian(100, 100 * alpha, 'linear', delta)]));
    expect(Math.abs(r.mutualInformationPerInput - oracle)).toBeLessThan(5e-9);
    // The Marchenko–Pastur integral by its own quadrature: the contract's 1e-6 (it agrees to ~1e-12).
    expect(Math.abs(r.mutualInformationPerInput - marchenkoPastur(alpha, 1, 1, delta))).toBeLessThan(1e-6);
    expect(r.solution.residual).toBeLessThan(1e-12);
  });

  it('gives the reference entropies and MMSEs of Normal–Linear(0.1)', () => {
    const one = replicaLayer(network([gaussian(100, 100, 'linear', 0.1)]));
    const two = replicaLayer(network([gaussian(100, 200, 'linear', 0.1)]));
    expect(Math.abs(one.entropyPerInput - 1.21147902)).toBeLessThan(5e-9);
    expect(Math.abs(two.entropyPerInput - 1.92552302)).toBeLessThan(5e-9);
    expect(Math.abs(one.solution.fixedPoint.v[0]! - 0.27015621)).toBeLessThan(5e-9);
    expect(Math.abs(two.solution.fixedPoint.v[0]! - 0.08442888)).toBeLessThan(5e-9);
  });

  it('scales with the weight and input variances as the Marchenko–Pastur integral does (1e-6)', () => {
    for (const [alpha, sigma2, signal, delta] of [
      [0.5, 2.5, 1, 0.05],
      [3, 0.3, 2, 0.2],
      [1, 4, 0.5, 0.01],
    ] as const) {
      const r = replicaLayer(
        network([gaussian(60, 60 * alpha, 'linear', delta, sigma2)], { kind: 'normal', mean: 0, variance: signal }),
      );
      expect(Math.abs(r.mutualInformationPerInput - marchenkoPastur(alpha, sigma2, signal, delta))).toBeLessThan(1e-6);
    }
  });

  it('does not depend on the input mean (a known shift), to 1e-9', () => {
    const layers = [gaussian(50, 100, 'linear', 0.01), gaussian(100, 50, 'linear', 0.1)];
    const centred = replicaLayer(network(layers));
    const shifted = replicaLayer(network(layers, { kind: 'normal', mean: 0.7, variance: 1 }));
    expect(Math.abs(centred.entropyPerInput - shifted.entropyPerInput)).toBeLessThan(1e-9);
  });
});

describe('replica formula: two linear layers (reference values)', () => {
  it('α = (1, 1) and (2, ½), noiseless inner layer, Δ_out = 0.01: H and I at their 8 digits', () => {
    const a = replicaLayer(network([gaussian(100, 100, 'linear', 0), gaussian(100, 100, 'linear', 0.01)]));
    const b = replicaLayer(network([gaussian(100, 200, 'linear', 0), gaussian(200, 100, 'linear', 0.01)]));
    expect(Math.abs(a.entropyPerInput - 0.73051031)).toBeLessThan(5e-9);
    expect(Math.abs(a.mutualInformationPerInput - 1.61415687)).toBeLessThan(5e-9);
    expect(Math.abs(b.entropyPerInput - 0.89810818)).toBeLessThan(5e-9);
    expect(Math.abs(b.mutualInformationPerInput - 1.78175474)).toBeLessThan(5e-9);
    expect(a.conditionalMethod).toBe('output-noise');
  });
});

describe('replica formula: single layer, other priors (independent single-letter route)', () => {
  // I/n₀ = min_V { I_P(α/(Δ+V)) + (α/2)[ln(1 + V/Δ) − V/(Δ+V)] } (Gaussian W, linear channel): evaluated on a grid
  // refined by golden section, with the scalar mutual information by a trapezoid rule in y — no code shared.
  function scalarMutualInformation(gamma: number, prior: (x: number) => [number, number][]): number {
    // I(x; y), y = √γ x + ξ, for a prior given as atoms and Gaussian pieces: H(y) − H(y|x) on a fine y-grid.
    const atoms = prior(0);
    const h = 0.004;
    const lim = 12 + 3 * Math.sqrt(gamma) * Math.max(...atoms.map(([x]) => Math.abs(x)), 1);
    let hy = 0;
    for (let y = -lim; y <= lim; y += h) {
      let p = 0;
      for (const [x, w] of atoms) p += (w * Math.exp(-0.5 * (y - Math.sqrt(gamma) * x) ** 2)) / Math.sqrt(2 * Math.PI);
      if (p > 0) hy -= h * p * Math.log(p);
    }
    return hy - 0.5 * Math.log(2 * Math.PI * Math.E);
  }
  function singleLetter(alpha: number, delta: number, rho: number, mi: (g: number) => number): number {
    const f = (v: number) => mi(alpha / (delta + v)) + (alpha / 2) * (Math.log1p(v / delta) - v / (delta + v));
    let bestV = 0;
    let best = Infinity;
    for (let k = 0; k <= 40; k++) {
      const v = (rho * k) / 40;
      if (f(v) < best) [best, bestV] = [f(v), v];
    }
    let lo = Math.max(0, bestV - rho / 40);
    let hi = Math.min(rho, bestV + rho / 40);
    for (let it = 0; it < 60; it++) {
      const m1 = lo + (hi - lo) * 0.382;
      const m2 = lo + (hi - lo) * 0.618;
      if (f(m1) < f(m2)) hi = m2;
      else lo = m1;
    }
    return f(0.5 * (lo + hi));
  }

  it.each([
    [1, 0.1],
    [2, 0.5],
    [0.5, 0.05],
  ])('bimodal ±1, α = %p, Δ = %p: equals the single-letter formula (1e-6)', (alpha, delta) => {
    const r = replicaLayer(network([gaussian(100, 100 * alpha, 'linear', delta)], { kind: 'bimodal', pPlus: 0.5 }));
    const ref = singleLetter(alpha, delta, 1, (g) =>
      scalarMutualInformation(g, () => [
        [1, 0.5],
        [-1, 0.5],
      ]),
    );
    expect(Math.abs(r.mutualInformationPerInput - ref)).toBeLessThan(1e-6);
  });

  it('spike-and-slab with density 1 is the Normal prior; with density 0.3 it sits between its bounds', () => {
    const layers = [gaussian(100, 150, 'linear', 0.05)];
    const full = replicaLayer(network(layers, { kind: 'spike-and-slab', density: 1, mean: 0, variance: 1 }));
    const normal = replicaLayer(network(layers));
    expect(Math.abs(full.mutualInformationPerInput - normal.mutualInformationPerInput)).toBeLessThan(1e-12);
    const sparse = replicaLayer(network(layers, { kind: 'spike-and-slab', density: 0.3, mean: 0, variance: 1 }));
    // I(x; y) ≤ the Gaussian value at the same variance (Gaussian maximises MI for a linear channel) and ≥ 0.
    const sameVariance = replicaLayer(network(layers, { kind: 'normal', mean: 0, variance: 0.3 }));
    expect(sparse.mutualInformationPerInput).toBeLessThan(sameVariance.mutualInformationPerInput);
    expect(sparse.mutualInformationPerInput).toBeGreaterThan(0);
  });
});

describe('replica formula: orthogonally invariant weights (the spectrum identity)', () => {
  // For one linear layer and a Normal(0, s) input, I = ½ Σ_i ln(1 + s λ_i/Δ) exactly for ANY finite W, λ_i the
  // eigenvalues of WᵀW; the formula given that spectrum must reproduce it (tolerance 1e-8: root-finding precision).
  const cases: Array<[string, number, number, number]> = [
    ['tall 100 × 50 Gaussian', 100, 50, 0.01],
    ['wide 40 × 80 Gaussian (zero eigenvalues)', 40, 80, 0.1],
    ['square 60 × 60 Gaussian', 60, 60, 0.05],
  ];
  it.each(cases)('%s (rows %p, columns %p), Δ = %p', (_name, rows, cols, delta) => {
    const random = RandomStream.fromSeed(42).split(`${rows}x${cols}`);
    const w = gaussianMatrix(random, rows, cols, 1);
    const spectrum = symmetricEigenvalues(multiply(transpose(w, rows, cols), w, cols, rows, cols), cols).map((x) =>
      Math.max(x, 0),
    );
    const exact = (0.5 * spectrum.reduce((s, l) => s + Math.log1p(l / delta), 0)) / cols;
    const r = replicaLayer(
      network([
        {
          inputs: cols,
          outputs: rows,
          ensemble: { kind: 'orthogonally-invariant', spectrum },
          channel: 'linear',
          noiseVariance: delta,
        },
      ]),
    );
    expect(Math.abs(r.mutualInformationPerInput - exact)).toBeLessThan(1e-8);
  });

  it('an orthogonal matrix (every λ = 1): I = ½ ln(1 + 1/Δ), on both sides of Δ = 1', () => {
    for (const delta of [0.05, 0.5, 2]) {
      const r = replicaLayer(
        network([
          {
            inputs: 30,
            outputs: 30,
            ensemble: { kind: 'orthogonally-invariant', spectrum: new Float64Array(30).fill(1) },
            channel: 'linear',
            noiseVariance: delta,
          },
        ]),
      );
      expect(Math.abs(r.mutualInformationPerInput - 0.5 * Math.log1p(1 / delta))).toBeLessThan(1e-8);
    }
  });
});

describe('replica formula: noisy inner layers (the pitfall)', () => {
  it('2-layer linear α = (1, 1), Δ = 0.01 in both: the output-noise-only MI is dnner’s 1.632825, the true MI is lower', () => {
    const r = replicaLayer(network([gaussian(100, 100, 'linear', 0.01), gaussian(100, 100, 'linear', 0.01)]));
    expect(Math.abs(r.outputNoiseOnlyMutualInformationPerInput - 1.632825)).toBeLessThan(5e-7);
    expect(r.conditionalMethod).toBe('conditional-network');
    expect(r.mutualInformationPerInput).toBeLessThan(1.36);
    expect(r.mutualInformationPerInput).toBeGreaterThan(1.32);
  });

  it('agrees with exact log-determinants of realised networks (n₀ = 150, 6 draws) within their spread', () => {
    // Exact per draw: Y = W₂(W₁x + √Δ₁ξ₁) + √Δ₂ξ₂ is Gaussian; I = ½[ln det Σ_Y − ln det Σ_{Y|X}] with
    // Σ_Y = W₂(W₁W₁ᵀ + Δ₁)W₂ᵀ + Δ₂, Σ_{Y|X} = Δ₁W₂W₂ᵀ + Δ₂. Tolerance: 4 standard errors over the draws plus 2/n₀ for
    // the finite-size bias (measured with NumPy draws: the mean sits 4.5e-3 ± 1.7e-3 below the limit at n₀ = 150 and
    // 1.0e-3 ± 0.2e-3 at n₀ = 1200, ≲ 1.2/n₀). Checked over seeds 7–12: deviations 0.8e-3…8.9e-3, tolerances ≥ 1.7e-2.
    const n = 150;
    const [d1, d2] = [0.01, 0.01];
    const values: number[] = [];
    for (let draw = 0; draw < 6; draw++) {
      const random = RandomStream.fromSeed(7).split(`draw-${draw}`);
      const w1 = gaussianMatrix(random.split('w1'), n, n, 1);
      const w2 = gaussianMatrix(random.split('w2'), n, n, 1);
      values.push(linearChainInformation([w1, w2], [d1, d2], n));
    }
    const mean = values.reduce((s, x) => s + x, 0) / values.length;
    const sd = Math.sqrt(values.reduce((s, x) => s + (x - mean) ** 2, 0) / (values.length - 1));
    const r = replicaLayer(network([gaussian(n, n, 'linear', d1), gaussian(n, n, 'linear', d2)]));
    expect(Math.abs(r.mutualInformationPerInput - mean)).toBeLessThan((4 * sd) / Math.sqrt(values.length) + 2 / n);
    // …while the output-noise-only value is ≈ 0.29 away: the test can fail.
    expect(Math.abs(r.outputNoiseOnlyMutualInformationPerInput - mean)).toBeGreaterThan(0.25);
  });
});

describe('replica formula: nonlinear channels and errors', () => {
  it('ReLU and probit layers converge, give finite H ≥ H(h | x) and I ≥ 0, and every initialisation is reported', () => {
    const net = network([
      gaussian(100, 100, 'relu', 0.01),
      gaussian(100, 50, 'probit', 0.1),
      gaussian(50, 50, 'relu', 0.01),
    ]);
    const results = replicaLayers(net);
    expect(results.map((r) => r.layer)).toEqual([1, 2, 3]);
    for (const r of results) {
      expect(Number.isFinite(r.entropyPerInput)).toBe(true);
      expect(r.mutualInformationPerInput).toBeGreaterThan(0);
      expect(r.solution.candidates.length).toBe(2 ** r.layer);
    }
    // Data processing: I(x; h_3) ≤ I(x; h_2) (h_3 is a noisy function of h_2).
    expect(results[2]!.mutualInformationPerInput).toBeLessThanOrEqual(results[1]!.mutualInformationPerInput + 1e-9);
  });

  it('the fixed point and the ML-VAMP state evolution reach the same φ on a noisy ReLU–linear network (1e-8)', () => {
    const net = network([gaussian(80, 120, 'relu', 0.05), gaussian(120, 60, 'linear', 0.02)]);
    const fixed = replicaLayer(net, 2, { methods: ['fixed-point'] });
    const vamp = replicaLayer(net, 2, { methods: ['ml-vamp'] });
    expect(fixed.solution.method).toBe('fixed-point');
    expect(vamp.solution.method).toBe('ml-vamp');
    expect(Math.abs(fixed.entropyPerInput - vamp.entropyPerInput)).toBeLessThan(1e-8);
    expect(Math.abs(fixed.mutualInformationPerInput - vamp.mutualInformationPerInput)).toBeLessThan(1e-8);
  });

  it('refuses unstructured weights, unknown channels and missing noise, naming the layer', () => {
    const ok = gaussian(20, 20, 'linear', 0.1);
    expect(() => replicaLayer(network([ok, { ...ok, ensemble: { kind: 'unstructured' } }]))).toThrow(
      /layers\[1\] \(layer 2\)\.ensemble.*unstructured/,
    );
    expect(() => replicaLayer(network([{ ...ok, channel: 'tanh' }]))).toThrow(
      /layer 1\)\.channel.*'linear', 'relu', 'probit', got 'tanh'/,
    );
    expect(() => replicaLayer(network([{ ...ok, noiseVariance: 0 }]))).toThrow(ReplicaAssumptionError);
    expect(() => replicaLayer(network([{ ...ok, channel: 'probit', noiseVariance: 0 }, ok]))).toThrow(
      /layer 1\)\.noiseVariance.*discrete/,
    );
    expect(() => replicaLayer(network([ok, { ...ok, inputs: 21 }]))).toThrow(/layer 2\)\.inputs: expected 20/);
  });

  it('reports non-convergence with the layer and the last residual', () => {
    expect(() =>
      replicaLayer(network([gaussian(50, 50, 'relu', 0.01), gaussian(50, 50, 'relu', 0.01)]), 2, {
        maxIterations: 2,
        damping: [0],
      }),
    ).toThrow(/did not converge \(layer \d moved most; last residual Σ\|ΔV\| = [0-9.e+-]+ after 2 sweeps/);
  });
});
