import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { firstValueFrom, from, toArray } from 'rxjs';
import type { Measurement, Observation } from '@entroscope/core';
import { mutualInformationDescriptor } from '@entroscope/probe-information';
import { randomMlpDescriptor } from '@entroscope/system-random-mlp';
import { trainedMlpDescriptor } from '@entroscope/system-trained-mlp';
import { collect, testContext } from '@entroscope/testing';
import { resolveBackend } from './backend';
import { createRegistries } from './container';
import { parseRecord } from './results-store';
import { loadStudy, runStudy } from './run-study';

// The MLP systems publish the network input X and the label Y beside every layer (Observation.variables), so the
// mutual-information probe measures I(X;T) and I(T;Y) with no change to it. The truths are computed here, from the
// layer data, by an independent implementation of the information-plane code's binning (float32 linspace(−1, 1, 30),
// NumPy digitize, left edge, index −1 wrapping to the top edge) and plug-in entropies of the state counts.

function float32Linspace(lo: number, hi: number, n: number): Float32Array {
  const e = new Float32Array(n);
  for (let i = 0; i < n; i++) e[i] = lo + ((hi - lo) * i) / (n - 1);
  e[n - 1] = hi;
  return e;
}
/** Per row, the tuple of left edges of each unit's bin, as a string key. */
function binnedKeys(data: ArrayLike<number>, rows: number, cols: number): string[] {
  const edges = float32Linspace(-1, 1, 30);
  const keys: string[] = [];
  for (let r = 0; r < rows; r++) {
    const parts: number[] = [];
    for (let j = 0; j < cols; j++) {
      const v = data[r * cols + j]!;
      let k = 0; // digitize: number of edges ≤ v
      while (k < edges.length && edges[k]! <= v) k++;
      parts.push(edges[k - 1 < 0 ? edges.length - 1 : k - 1]!);
    }
    keys.push(parts.join(' '));
  }
  return keys;
}
function entropy(keys: readonly string[]): number {
  const counts = new Map<string, number>();
  for (const k of keys) counts.set(k, (counts.get(k) ?? 0) + 1);
  let h = 0;
  for (const c of counts.values()) h -= (c / keys.length) * Math.log(c / keys.length);
  return h;
}
/** I(T;Y) = H(T) − Σ_y p(y) H(T | Y = y), nats. */
function labelInformation(keys: readonly string[], labels: ArrayLike<number>): number {
  const groups = new Map<number, string[]>();
  keys.forEach((k, i) => {
    const g = groups.get(labels[i]!) ?? [];
    g.push(k);
    groups.set(labels[i]!, g);
  });
  let conditional = 0;
  for (const g of groups.values()) conditional += (g.length / keys.length) * entropy(g);
  return entropy(keys) - conditional;
}

async function probe(observations: Observation[], params: unknown): Promise<Measurement[]> {
  const p = mutualInformationDescriptor.paramsSchema.parse(params);
  const instance = mutualInformationDescriptor.create(p, testContext(9));
  return firstValueFrom(instance.apply(from(observations)).pipe(toArray()));
}
const binning = { use: 'binning', scheme: 'fixed', range: [-1, 1], edges: 30, bootstrap: 0 };

describe('I(X;T) and I(T;Y) by the mutual-information probe on the MLP systems', () => {
  it('random-mlp on the 12-bit task: binned I(X;T) = H(binned T) and I(T;Y) equal the independent computation exactly', async () => {
    const obs = await collect(
      randomMlpDescriptor,
      {
        sigmaW2: 3,
        sigmaB2: 0.05,
        depth: 4,
        widths: { schedule: 'custom', widths: [10, 7, 5, 4] },
        inputs: { source: 'twelve-bit' },
        record: 'activations',
      },
      testContext(21),
    );
    const xt = await probe(obs, { y: { variable: 'input' }, estimator: binning });
    const ty = await probe(obs, { y: { variable: 'label' }, estimator: binning });
    expect(xt).toHaveLength(4);
    obs.forEach((o, l) => {
      const keys = binnedKeys(o.data!, 4096, o.shape[1]!);
      const h = entropy(keys);
      // Deterministic layer, every input row distinct: I(X;T) = H(T); both sides sum the same counts (1e-10: rounding of 4096-term sums).
      expect(xt[l]!.value).toBeCloseTo(h, 10);
      expect(ty[l]!.value).toBeCloseTo(labelInformation(keys, o.variables!['label']!.data), 10);
      expect(h).toBeLessThanOrEqual(Math.log(4096) + 1e-12);
      // Data processing: the label information of a layer cannot exceed H(Y) = ln 2.
      expect(ty[l]!.value).toBeLessThanOrEqual(Math.log(2) + 1e-12);
    });
    // The variables themselves: I(X;X) = H(X) = ln 4096 (every pattern once), I(X;Y) = H(Y) = ln 2 (balanced labels).
    const [xx] = await probe([obs[0]!], { x: { variable: 'input' }, y: { variable: 'input' }, estimator: binning });
    const [xy] = await probe([obs[0]!], { x: { variable: 'input' }, y: { variable: 'label' }, estimator: binning });
    expect(xx!.value).toBeCloseTo(Math.log(4096), 10);
    expect(xy!.value).toBeCloseTo(Math.log(2), 10);
  });

  it('trained-mlp (information-plane network, 2 epochs): binning and KDE-bound values per (layer, epoch) site', async () => {
    const params = {
      sigmaW2: 1,
      sigmaB2: 0,
      weightInit: 'truncated-normal',
      activation: 'tanh',
      outputActivation: 'softmax',
      depth: 6,
      widths: { schedule: 'custom', widths: [10, 7, 5, 4, 3, 2] },
      data: { source: 'twelve-bit', order: 'shuffled' },
      train: { offset: 0, count: 3277 },
      validation: null,
      test: { offset: 3277, count: 819 },
      evaluation: { offset: 0, count: 4096 },
      record: 'activations',
      optimiser: { use: 'adam', lr: 0.0004 },
      batchSize: 256,
      epochs: 2,
      observeAt: { axis: 'epoch', at: [2] },
    };
    const obs = (await collect(trainedMlpDescriptor, params, testContext(22))).filter((o) => o.site.axis === 'layer');
    const xt = await probe(obs, { y: { variable: 'input' }, estimator: binning });
    const ty = await probe(obs, { y: { variable: 'label' }, estimator: binning });
    obs.forEach((o, l) => {
      const keys = binnedKeys(o.data!, 4096, o.shape[1]!);
      expect(xt[l]!.site.time).toEqual(o.site.time);
      expect(xt[l]!.value).toBeCloseTo(entropy(keys), 10);
      expect(ty[l]!.value).toBeCloseTo(labelInformation(keys, o.variables!['label']!.data), 10);
    });
    // KDE bounds on the first 512 rows (a random subset: rows are in a seeded order), σ² = 0.1: the lower bound is
    // below the upper, both in [0, ln 512], and the upper bound of the input layer-free case equals the formula.
    const kde = (bound: string) => ({ use: 'kde-bounds', bound, variance: 0.1, bootstrap: 0 });
    const upper = await probe(obs, { y: { variable: 'input' }, estimator: kde('upper'), rows: 512 });
    const lower = await probe(obs, { y: { variable: 'input' }, estimator: kde('lower'), rows: 512 });
    obs.forEach((o, l) => {
      expect(upper[l]!.meta['kind']).toBe('upper-bound');
      expect(lower[l]!.meta['kind']).toBe('lower-bound');
      expect(lower[l]!.value).toBeLessThanOrEqual(upper[l]!.value + 1e-12);
      expect(upper[l]!.value).toBeLessThanOrEqual(Math.log(512) + 1e-12);
      expect(lower[l]!.value).toBeGreaterThanOrEqual(-1e-12);
      // −(1/N) Σ_i ln[(1/N) Σ_j exp(−‖h_i − h_j‖²/(2σ²))], written out here.
      const d = o.shape[1]!;
      let total = 0;
      for (let i = 0; i < 512; i++) {
        let s = 0;
        for (let j = 0; j < 512; j++) {
          let q = 0;
          for (let k = 0; k < d; k++) q += (o.data![i * d + k]! - o.data![j * d + k]!) ** 2;
          s += Math.exp(-q / 0.2);
        }
        total += Math.log(s / 512);
      }
      expect(upper[l]!.value).toBeCloseTo(-total / 512, 9);
    });
  }, 60_000);

  it('through a study file: the runner delivers the variables to the probe at every (layer, epoch) site', async () => {
    const registries = createRegistries();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'entroscope-variables-'));
    fs.writeFileSync(
      path.join(dir, 'study.yaml'),
      `name: variables
backend: cpu
systems:
  - name: net
    use: trained-mlp
    params:
      sigmaW2: 1
      sigmaB2: 0
      weightInit: truncated-normal
      outputActivation: softmax
      depth: 3
      widths: { schedule: custom, widths: [6, 4, 2] }
      data: { source: twelve-bit }
      train: { offset: 0, count: 3277 }
      validation: null
      test: null
      evaluation: { offset: 0, count: 4096 }
      record: activations
      optimiser: { use: adam, lr: 0.0004 }
      batchSize: 256
      epochs: 1
      observeAt: { axis: epoch, at: [0, 1] }
probes:
  - { name: hx, use: mutual-information, params: { x: { variable: input }, y: { variable: input }, estimator: { use: binning, bootstrap: 0 } } }
  - { name: hy, use: mutual-information, params: { x: { variable: input }, y: { variable: label }, estimator: { use: binning, bootstrap: 0 } } }
  - { name: xt, use: mutual-information, params: { y: { variable: input }, estimator: { use: binning, bootstrap: 0 } } }
`,
    );
    await runStudy(loadStudy(path.join(dir, 'study.yaml'), registries), registries, {
      out: path.join(dir, 'out'),
      resolveBackend,
    });
    const records = fs
      .readFileSync(path.join(dir, 'out', 'results.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map(parseRecord);
    const of = (name: string) => records.filter((r) => r.probe === name);
    expect(of('hx').map((r) => `${r.site.time!.index}:${r.site.index}`)).toEqual([
      '0:0',
      '0:1',
      '0:2',
      '1:0',
      '1:1',
      '1:2',
    ]);
    for (const r of of('hx')) expect(r.value).toBeCloseTo(Math.log(4096), 10);
    for (const r of of('hy')) expect(r.value).toBeCloseTo(Math.log(2), 10);
    for (const r of of('xt')) expect(r.value).toBeLessThanOrEqual(Math.log(4096) + 1e-12);
    fs.rmSync(dir, { recursive: true, force: true });
  }, 60_000);
});
