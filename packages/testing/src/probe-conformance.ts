import { firstValueFrom, from, toArray } from 'rxjs';
import type { Measurement, Observation, ProbeDescriptor, RunContext } from '@entroscope/core';
import { testContext } from './system-conformance';

/** Applies a probe to a list of observations and returns its measurements. */
export function measure<P>(
  descriptor: ProbeDescriptor<P>,
  params: unknown,
  observations: readonly Observation[],
  context: RunContext = testContext(),
): Promise<Measurement[]> {
  const probe = descriptor.create(descriptor.paramsSchema.parse(params), context);
  return firstValueFrom(probe.apply(from(observations)).pipe(toArray()));
}

/**
 * The contract every probe must meet: valid descriptor, strict schema, one measurement per observation
 * site with its site echoed, a unit, n (null only for exact values), JSON-serialisable meta, deterministic
 * for a fixed seed, and invariant to re-running on the same observations.
 */
export function describeProbeConformance<P>(
  descriptor: ProbeDescriptor<P>,
  cases: readonly { params: unknown; observations: () => Promise<Observation[]> }[],
): void {
  describe(`probe conformance: ${descriptor.id}`, () => {
    it('has a kebab-case id, a version and a summary, and rejects unknown keys', () => {
      expect(descriptor.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(descriptor.version).toMatch(/^\d+\.\d+\.\d+$/);
      expect(descriptor.summary.length).toBeGreaterThan(10);
      expect(descriptor.paramsSchema.safeParse({ definitelyNotAParameter: 1 }).success).toBe(false);
    });

    it.each(cases.map((c, i) => [i, c] as const))(
      'case %i: one measurement per site, with unit, n and serialisable meta; deterministic',
      async (_i, testCase) => {
        const observations = await testCase.observations();
        const first = await measure(descriptor, testCase.params, observations, testContext(3));
        const again = await measure(descriptor, testCase.params, observations, testContext(3));
        expect(first.map((m) => m.site)).toEqual(observations.map((o) => o.site));
        for (const m of first) {
          expect(m.probe).toBe(descriptor.id);
          expect(typeof m.estimator).toBe('string');
          expect(typeof m.unit).toBe('string');
          expect(m.unit.length).toBeGreaterThan(0);
          expect(m.n === null || (Number.isInteger(m.n) && m.n > 0)).toBe(true);
          expect(Number.isNaN(m.value)).toBe(false);
          expect(() => JSON.stringify(m.meta)).not.toThrow();
        }
        expect(JSON.stringify(again)).toBe(JSON.stringify(first));
      },
    );
  });
}
