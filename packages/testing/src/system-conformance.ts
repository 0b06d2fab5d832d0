import { firstValueFrom, toArray } from 'rxjs';
import {
  METRICS_KIND,
  RandomStream,
  silentLogger,
  type Observation,
  type RunContext,
  type SystemDescriptor,
} from '@entroscope/core';

/** A run context for tests: seeded stream, CPU backend, silent logger, optional abort signal. */
export function testContext(seed = 1, name = 'test', signal: AbortSignal = new AbortController().signal): RunContext {
  return {
    name,
    random: RandomStream.fromSeed(seed).split(name),
    backend: { id: 'cpu' },
    logger: silentLogger,
    signal,
  };
}

/** Runs a system to completion and returns its observations. */
export function collect<P>(
  descriptor: SystemDescriptor<P>,
  params: unknown,
  context: RunContext = testContext(),
): Promise<Observation[]> {
  const parsed = descriptor.paramsSchema.parse(params);
  return firstValueFrom(descriptor.create(parsed, context).observe().pipe(toArray()));
}

function fingerprint(observations: Observation[]): string {
  return JSON.stringify(
    observations.map((o) => ({
      site: o.site,
      kind: o.kind,
      shape: o.shape,
      data: o.data ? Array.from(o.data) : null,
      metrics: o.metrics ?? null,
      meta: o.meta,
    })),
  );
}

/**
 * The contract every system must meet (architecture brief): valid descriptor (kebab-case id, version,
 * summary, strict schema that rejects unknown keys), sites on the declared axes in increasing index order
 * (per axis; with training times, in increasing (time, index) order), metrics observations well formed,
 * data length matching shape, data kinds and exact descriptions as declared by `provides`, same seed → same
 * observations, different seed → different samples (when sampling), and an aborted signal stops the run.
 * `cases` are valid parameter sets (at least one should produce samples when the system can).
 */
/**
 * `options.seedIndependent`: the reason a system's output does not depend on the seed (it replays user files); the
 * "another seed gives other samples" check is then skipped, and the reason is part of the test name.
 */
export function describeSystemConformance<P>(
  descriptor: SystemDescriptor<P>,
  cases: readonly unknown[],
  options: { seedIndependent?: string } = {},
): void {
  describe(`system conformance: ${descriptor.id}`, () => {
    it('has a kebab-case id, a version and a summary', () => {
      expect(descriptor.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(descriptor.version).toMatch(/^\d+\.\d+\.\d+$/);
      expect(descriptor.summary.length).toBeGreaterThan(10);
    });

    it('rejects unknown parameter keys', () => {
      const withUnknown = { ...(cases[0] as object), definitelyNotAParameter: 1 };
      expect(descriptor.paramsSchema.safeParse(withUnknown).success).toBe(false);
    });

    it.each(cases.map((c, i) => [i, c] as const))(
      'case %i emits what provides() declares, in site order, with consistent shapes',
      async (_i, params) => {
        const parsed = descriptor.paramsSchema.parse(params);
        const capabilities = descriptor.provides(parsed);
        const observations = await collect(descriptor, params);
        expect(observations.length).toBeGreaterThan(0);
        // Per axis, sites increase in (training time, index) order: a trained system sweeps its layers once per time.
        const previous = new Map<string, [number, number]>();
        for (const o of observations) {
          expect(capabilities.axes).toContain(o.site.axis);
          const at: [number, number] = [o.site.time?.index ?? -1, o.site.index];
          const before = previous.get(o.site.axis);
          if (before) expect(at[0] > before[0] || (at[0] === before[0] && at[1] > before[1])).toBe(true);
          previous.set(o.site.axis, at);
          if (o.site.time) {
            expect(Number.isInteger(o.site.time.index) && o.site.time.index >= 0).toBe(true);
            expect(typeof o.site.time.axis).toBe('string');
          }
          if (o.data) {
            expect(capabilities.kinds).toContain(o.kind);
            expect(o.data.length).toBe(o.shape.reduce((a, b) => a * b, 1));
          }
          if (o.kind === METRICS_KIND) {
            // Metrics observations carry named finite scalars with units, no samples.
            expect(capabilities.kinds).toContain(METRICS_KIND);
            expect(o.data).toBeUndefined();
            expect(o.metrics?.length).toBeGreaterThan(0);
            const names = o.metrics!.map((m) => m.name);
            expect(new Set(names).size).toBe(names.length);
            for (const m of o.metrics!) {
              expect(m.name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
              expect(Number.isFinite(m.value)).toBe(true);
              expect(m.unit.length).toBeGreaterThan(0);
            }
          }
          if (o.exact) expect(capabilities.exact).toContain(o.exact.type);
          expect(() => JSON.stringify(o.meta)).not.toThrow();
        }
        if (capabilities.kinds.some((k) => k !== METRICS_KIND)) expect(observations.some((o) => o.data)).toBe(true);
        // Exact descriptions describe samples: metrics observations (scalars of a run) carry none.
        if (capabilities.exact.length > 0)
          expect(observations.filter((o) => o.kind !== METRICS_KIND).every((o) => o.exact)).toBe(true);
      },
    );

    it(
      options.seedIndependent
        ? `is reproducible: same seed gives identical observations (seed-independent: ${options.seedIndependent})`
        : 'is reproducible: same seed gives identical observations, another seed other samples',
      async () => {
        for (const params of cases) {
          const a = fingerprint(await collect(descriptor, params, testContext(7)));
          const b = fingerprint(await collect(descriptor, params, testContext(7)));
          expect(a).toBe(b);
          const parsed = descriptor.paramsSchema.parse(params);
          if (!options.seedIndependent && descriptor.provides(parsed).kinds.some((k) => k !== METRICS_KIND)) {
            expect(fingerprint(await collect(descriptor, params, testContext(8)))).not.toBe(a);
          }
        }
      },
    );

    it('stops with an error when the run is aborted', async () => {
      const controller = new AbortController();
      controller.abort(new Error('stop'));
      await expect(collect(descriptor, cases[0], testContext(1, 'test', controller.signal))).rejects.toThrow();
    });
  });
}
