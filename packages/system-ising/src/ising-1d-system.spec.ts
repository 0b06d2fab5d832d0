import { describeSystemConformance, collect } from '@entroscope/testing';
import { decimationFlow1d } from './ising-1d-exact';
import { ising1dDescriptor } from './ising-1d-system';

describeSystemConformance(ising1dDescriptor, [
  { K: 0.5, steps: 4 },
  { K: 1, h: 0.2, steps: 3, samples: { count: 50, length: 16 } },
  { K: 0.5, steps: 2, ringSize: 8, samples: { count: 20 } },
]);

describe('ising-1d system', () => {
  it('emits rg-step sites 0…steps carrying the decimation flow as exponential-family descriptions', async () => {
    const observations = await collect(ising1dDescriptor, { K: 1, h: 0.1, steps: 5 });
    const flow = decimationFlow1d(1, 0.1, 5);
    expect(observations.map((o) => o.site.index)).toEqual([0, 1, 2, 3, 4, 5]);
    observations.forEach((o, n) => {
      expect(o.site.axis).toBe('rg-step');
      expect(o.exact?.type).toBe('exponential-family');
      if (o.exact?.type !== 'exponential-family') return;
      expect(o.exact.natural).toEqual([flow[n]!.K, flow[n]!.h]);
      expect(o.exact.siteFraction).toBe(2 ** -n);
      expect(o.exact.exactMarginal).toBe(true);
    });
  });

  it('rejects a ring size not divisible by 2^steps, saying what is expected', () => {
    const result = ising1dDescriptor.paramsSchema.safeParse({ K: 1, steps: 3, ringSize: 12 });
    expect(result.success).toBe(false);
    expect(JSON.stringify(result.error?.issues)).toMatch(/divisible by 2\^steps/);
  });
});
