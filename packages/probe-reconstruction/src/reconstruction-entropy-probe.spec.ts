import { describeProbeConformance, measure } from '@entroscope/testing';
import { RandomStream, type Observation } from '@entroscope/core';
import { reconstructionEntropyDescriptor } from './reconstruction-entropy-probe';
import { minShiftRelativeEntropy, median } from './relative-entropy';
import { saturationCutoff } from './cutoff';

const pixels = 16;
const images = 6;

/** Site 0: random images; site ℓ: each image blended with weight w_ℓ towards a fixed image of its own (D rises and saturates). */
function blendedObservations(weights: readonly number[], seed = 5): Observation[] {
  const random = RandomStream.fromSeed(seed).split('images');
  const originals = new Float64Array(images * pixels);
  for (let i = 0; i < originals.length; i++) originals[i] = random.uniform();
  const blank = (r: number, i: number) => 0.3 + 0.01 * i + 0.002 * r * ((i % 3) - 1);
  const site = (index: number, data: Float64Array): Observation => ({
    system: 'test',
    site: { axis: 'layer', index },
    kind: 'images',
    data,
    shape: [images, pixels],
    meta: { meanField: { xiC: 3.627, sixXiC: 21.762, xiCDivergent: false } },
  });
  const out = [site(0, originals)];
  weights.forEach((w, l) => {
    const rec = new Float64Array(originals.length);
    for (let r = 0; r < images; r++)
      for (let i = 0; i < pixels; i++) rec[r * pixels + i] = (1 - w) * originals[r * pixels + i]! + w * blank(r, i);
    out.push(site(l + 1, rec));
  });
  return out;
}

const weights = [0.2, 0.5, 0.8, 0.95, 0.999, 0.9999, 1, 1, 1, 1];

describeProbeConformance(reconstructionEntropyDescriptor, [
  { params: {}, observations: async () => blendedObservations(weights) },
  { params: { direction: 'reconstruction-to-original' }, observations: async () => blendedObservations(weights) },
  { params: { output: 'normalised-curve' }, observations: async () => blendedObservations(weights) },
  { params: { output: 'differential-entropy' }, observations: async () => blendedObservations(weights) },
]);
// Output 'cutoff' is one number per curve, emitted once at the last site, so it is excluded from the
// one-measurement-per-site case of the conformance suite; its own contract is tested below.

describe('reconstruction-entropy probe', () => {
  it('gives the per-image relative entropy of each site against site 0, mean ± SE over images', async () => {
    const obs = blendedObservations(weights);
    const ms = await measure(reconstructionEntropyDescriptor, {}, obs);
    expect(ms[0]!.value).toBe(0);
    for (const [l, m] of ms.entries()) {
      const d = Array.from({ length: images }, (_, r) =>
        minShiftRelativeEntropy(
          obs[0]!.data!.subarray(r * pixels, (r + 1) * pixels),
          obs[l]!.data!.subarray(r * pixels, (r + 1) * pixels),
        ),
      );
      const mean = d.reduce((a, b) => a + b, 0) / images;
      expect(Math.abs(m.value - mean)).toBeLessThan(1e-14);
      expect(m.meta['median']).toBeCloseTo(median(d), 14);
      expect(m.unit).toBe('nat');
      expect(m.n).toBe(images);
    }
    const reverse = await measure(reconstructionEntropyDescriptor, { direction: 'reconstruction-to-original' }, obs);
    expect(
      Math.abs(
        reverse[4]!.value -
          Array.from({ length: images }, (_, i) =>
            minShiftRelativeEntropy(
              obs[4]!.data!.subarray(i * pixels, (i + 1) * pixels),
              obs[0]!.data!.subarray(i * pixels, (i + 1) * pixels),
            ),
          ).reduce((a, b) => a + b, 0) /
            images,
      ),
    ).toBeLessThan(1e-14);
  });

  it('reports a collapsed layer (identical reconstructions of every image) as a data error for the differential entropy', async () => {
    const obs = blendedObservations([0.5, 0.9]);
    obs[2] = { ...obs[2]!, data: obs[2]!.data!.map((_, i) => i % pixels) };
    await expect(measure(reconstructionEntropyDescriptor, { output: 'differential-entropy' }, obs)).rejects.toThrow(
      /site layer=2: every pixel has zero spread/,
    );
  });

  it('is zero at every layer (up to O(ε)) when the reconstructions are exact or positive affine copies', async () => {
    const obs = blendedObservations([0, 0, 0]);
    obs[2] = { ...obs[2]!, data: obs[0]!.data!.map((v) => 2.5 * v - 1) };
    const ms = await measure(reconstructionEntropyDescriptor, { excludeLast: 0 }, obs);
    for (const m of ms) expect(Math.abs(m.value)).toBeLessThan(1e-10);
  });

  it('normalises each image by its own last kept layer and takes the median (r = 1 at the normalising site)', async () => {
    const obs = blendedObservations(weights);
    const ms = await measure(reconstructionEntropyDescriptor, { output: 'normalised-curve', excludeLast: 2 }, obs);
    const lastKept = weights.length - 2;
    expect(ms[lastKept]!.value).toBe(1);
    expect(ms[lastKept]!.meta['normalisedBy']).toBe(lastKept);
    const d = (l: number, r: number) =>
      minShiftRelativeEntropy(
        obs[0]!.data!.subarray(r * pixels, (r + 1) * pixels),
        obs[l]!.data!.subarray(r * pixels, (r + 1) * pixels),
      );
    const expected = median(Array.from({ length: images }, (_, r) => d(2, r) / d(lastKept, r)));
    expect(Math.abs(ms[2]!.value - expected)).toBeLessThan(1e-14);
    expect(ms[1]!.value).toBeLessThan(ms[2]!.value);
  });

  it('emits one cutoff at the last site: the rule on r_ℓ, with saturation depth, flags and ξ_c overlays', async () => {
    const obs = blendedObservations(weights);
    const [cut, ...rest] = await measure(reconstructionEntropyDescriptor, { output: 'cutoff' }, obs);
    expect(rest).toHaveLength(0);
    expect(cut!.site.index).toBe(weights.length);
    const curve = cut!.meta['curveValues'] as number[];
    expect(curve).toHaveLength(weights.length - 2);
    const expected = saturationCutoff(curve, { atol: 1e-8, rtol: 0.005 });
    expect(cut!.value).toBe(expected.index);
    expect(cut!.meta['allSaturated']).toBe(false);
    expect(cut!.meta['overlays']).toEqual({ xi_c: 3.627, six_xi_c: 21.762 });
    const depth = await measure(
      reconstructionEntropyDescriptor,
      { output: 'cutoff', cutoff: { report: 'saturation-depth' } },
      obs,
    );
    expect(depth[0]!.value).toBe(expected.index + 2);
  });

  it("flags an all-saturated curve and returns the curve length under the authors' rule", async () => {
    const obs = blendedObservations([1, 1, 1, 1, 1, 1]);
    const [cut] = await measure(reconstructionEntropyDescriptor, { output: 'cutoff' }, obs);
    expect(cut!.value).toBe(4);
    expect(cut!.meta['allSaturated']).toBe(true);
    const [corrected] = await measure(
      reconstructionEntropyDescriptor,
      { output: 'cutoff', cutoff: { allSaturated: 'corrected' } },
      obs,
    );
    expect(corrected!.value).toBe(-1);
  });

  it('gives per-image and differential-entropy cutoffs', async () => {
    const obs = blendedObservations(weights);
    const [perImage] = await measure(
      reconstructionEntropyDescriptor,
      { output: 'cutoff', cutoff: { curve: 'per-image' } },
      obs,
    );
    expect(perImage!.n).toBe(images);
    expect(perImage!.value).toBeGreaterThanOrEqual(0);
    expect(typeof perImage!.meta['sd']).toBe('number');
    const [diff] = await measure(
      reconstructionEntropyDescriptor,
      { output: 'cutoff', cutoff: { curve: 'differential' } },
      obs,
    );
    const h = await measure(reconstructionEntropyDescriptor, { output: 'differential-entropy' }, obs);
    expect(diff!.value).toBe(
      saturationCutoff(
        h.slice(1, weights.length - 1).map((m) => m.value),
        { atol: 1e-8, rtol: 0.005 },
      ).index,
    );
  });

  it('never modifies the observations', async () => {
    const obs = blendedObservations(weights);
    const copy = obs.map((o) => Array.from(o.data!));
    await measure(reconstructionEntropyDescriptor, { output: 'cutoff' }, obs);
    await measure(reconstructionEntropyDescriptor, { output: 'differential-entropy' }, obs);
    obs.forEach((o, i) => expect(Array.from(o.data!)).toEqual(copy[i]));
  });

  it('reports shape mismatches and too short curves as data errors naming the site', async () => {
    const obs = blendedObservations(weights);
    obs[3] = { ...obs[3]!, shape: [images - 1, pixels], data: obs[3]!.data!.subarray(0, (images - 1) * pixels) };
    await expect(measure(reconstructionEntropyDescriptor, {}, obs)).rejects.toThrow(
      /site layer=3: reconstructions have shape \[5, 16\]/,
    );
    await expect(
      measure(reconstructionEntropyDescriptor, { output: 'cutoff' }, blendedObservations([0.5, 1])),
    ).rejects.toThrow(/at least one reconstruction site/);
  });
});
