import { RandomStream, type Observation } from '@entroscope/core';
import { discreteEntropy } from '@entroscope/estimators';
import { ising1dDescriptor } from '@entroscope/system-ising';
import { randomMlpDescriptor } from '@entroscope/system-random-mlp';
import { collect, describeProbeConformance, measure, testContext } from '@entroscope/testing';
import { mutualInformationDescriptor, selectPart } from './mutual-information-probe';

const chain = (params: Record<string, unknown>, seed = 1) =>
  collect(ising1dDescriptor, params, testContext(seed, 'chain'));
const mlp = {
  sigmaW2: 1.5,
  sigmaB2: 0.05,
  depth: 3,
  widths: { schedule: 'constant', width: 3 },
  inputs: { source: 'gaussian', count: 300, dimension: 3 },
};

/** Synthetic observation: data = x (1 column), variables y (correlated ρ) and label (sign of x). */
function gaussianObservation(rho: number, n: number, seed: number): Observation {
  const g = RandomStream.fromSeed(seed);
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    x[i] = g.normal();
    y[i] = rho * x[i]! + Math.sqrt(1 - rho * rho) * g.normal();
  }
  return {
    system: 'synthetic',
    site: { axis: 'layer', index: 0 },
    kind: 'samples',
    data: x,
    shape: [n, 1],
    meta: {},
    variables: {
      y: { data: y, shape: [n, 1] },
      label: { data: Float64Array.from(x, (v) => (v > 0 ? 1 : 0)), shape: [n, 1] },
    },
  };
}

describeProbeConformance(mutualInformationDescriptor, [
  {
    params: { x: { window: [[0, 1]] }, y: { window: [[1, 2]] }, estimator: { use: 'plug-in', bootstrap: 10 } },
    observations: () => chain({ K: 0.8, steps: 2, samples: { count: 300, length: 8 } }),
  },
  {
    params: { y: { site: 0 }, estimator: { use: 'gaussian', bootstrap: 5 } },
    observations: () => collect(randomMlpDescriptor, mlp, testContext(2)),
  },
  {
    params: { y: { variable: 'y' }, estimator: { use: 'ksg', k: 4, bootstrap: 4, permutations: 4 } },
    observations: async () => [gaussianObservation(0.5, 400, 1)],
  },
]);

describe('mutual-information probe', () => {
  it('neighbouring spins of the 1D Ising chain: plug-in MI within 4 bootstrap SE of ln 2 − h((1 + tanh K)/2) at every RG step', async () => {
    const observations = await chain({ K: 0.8, steps: 2, samples: { count: 4000, length: 8 } }, 5);
    const ms = await measure(
      mutualInformationDescriptor,
      { x: { window: [[3, 4]] }, y: { window: [[4, 5]] }, estimator: { use: 'plug-in', bootstrap: 100 } },
      observations,
    );
    ms.forEach((m, n) => {
      const K = (observations[n]!.exact as { natural: readonly number[] }).natural[0]!;
      const p = (1 + Math.tanh(K)) / 2;
      const exact = Math.LN2 + p * Math.log(p) + (1 - p) * Math.log(1 - p);
      expect(m.estimator).toBe('plug-in');
      expect(m.unit).toBe('nat');
      expect(m.uncertainty).toBeGreaterThan(0);
      expect(Math.abs(m.value - exact)).toBeLessThan(4 * m.uncertainty!);
    });
  });

  it('picks named variables: KSG on (data, y) within 0.06 of −½ ln(1 − ρ²), and the label by plug-in after binning x', async () => {
    const o = gaussianObservation(0.6, 3000, 2);
    const [m] = await measure(
      mutualInformationDescriptor,
      { y: { variable: 'y' }, estimator: { use: 'ksg', k: 4, bootstrap: 10 } },
      [o],
    );
    expect(Math.abs(m!.value + 0.5 * Math.log(1 - 0.36))).toBeLessThan(0.06);
    expect(m!.meta['kind']).toBe('estimate');
    expect((m!.meta['resampling'] as { method: string }).method).toBe('subsample');
    // I(X; sign X) = H(sign X) exactly when 0 is a bin edge (width bins floor(x/w)): the plug-in entropy of the label.
    const [b] = await measure(
      mutualInformationDescriptor,
      { y: { variable: 'label' }, estimator: { use: 'binning', scheme: 'width', width: 0.25, bootstrap: 0 } },
      [o],
    );
    expect(b!.value).toBeCloseTo(discreteEntropy(o.variables!['label']!.data), 12);
  });

  it('says which variable is missing, and refuses unpaired rows', async () => {
    const o = gaussianObservation(0.5, 50, 3);
    await expect(measure(mutualInformationDescriptor, { y: { variable: 'nope' } }, [o])).rejects.toThrow(
      /no variable 'nope' \(it has: y, label\)/,
    );
    const short: Observation = { ...o, variables: { y: { data: new Float64Array(10), shape: [10, 1] } } };
    await expect(measure(mutualInformationDescriptor, { y: { variable: 'y' } }, [short])).rejects.toThrow(
      /50 and 10 rows/,
    );
    await expect(measure(mutualInformationDescriptor, { y: { offset: 1 } }, [o])).rejects.toThrow(/does not exist/);
    expect(await measure(mutualInformationDescriptor, { y: { offset: 1 }, missing: 'skip' }, [o])).toEqual([]);
  });

  it('selects windows and shells of a lattice row (a block and its environment)', () => {
    // One row of a 4×4 lattice holding 0…15: block [1,3)×[1,3) and its shell [0,4)² minus the block.
    const data = Float64Array.from({ length: 16 }, (_, i) => i);
    const block = selectPart(
      data,
      [1, 4, 4],
      {
        site: 'self',
        offset: 0,
        window: [
          [1, 3],
          [1, 3],
        ],
      },
      'here',
      'p',
    );
    expect(Array.from(block.values)).toEqual([5, 6, 9, 10]);
    const shell = selectPart(
      data,
      [1, 4, 4],
      {
        site: 'self',
        offset: 0,
        window: [
          [0, 4],
          [0, 4],
        ],
        exclude: [
          [1, 3],
          [1, 3],
        ],
      },
      'here',
      'p',
    );
    expect(shell.d).toBe(12);
    expect(Array.from(shell.values)).not.toContain(5);
  });
});

describe('mutual-information display metadata', () => {
  it('names the quantity by its parts, its unit in words and its estimator parameters', () => {
    const display = mutualInformationDescriptor.display!;
    const symbol = display.symbol as (p: unknown) => string;
    const parse = (p: unknown) => mutualInformationDescriptor.paramsSchema.parse(p);
    expect(symbol(parse({ y: { variable: 'label' } }))).toBe('I(X; label)');
    expect(symbol(parse({ y: { offset: 1 } }))).toBe('I(X; Y_n+1)');
    expect(symbol(parse({ y: { site: 0 } }))).toBe('I(X; Y_0)');
    expect(display.units!['nat']).toBe('nats');
    expect(display.parameters!['estimator.k']).toEqual({ name: 'neighbours', symbol: 'k' });
    expect(display.values!['ksg']).toBe('KSG');
  });
});
