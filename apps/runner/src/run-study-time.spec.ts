import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ContainerModule } from 'inversify';
import { map, Observable } from 'rxjs';
import { METRICS_KIND, ProbeDescriptor, SystemDescriptor, z, type Observation } from '@entroscope/core';
import { metricsModule } from '@entroscope/probe-metrics';
import { createRegistries } from './container';
import { loadStudy, runStudy } from './run-study';
import { parseRecord } from './results-store';

// A system that sweeps 3 layers at epochs 0, 1, 2 and records one metric per epoch after training starts.
const timedSystem: SystemDescriptor<Record<string, never>> = {
  id: 'timed-fake',
  version: '1.0.0',
  summary: 'test system: layers × training times',
  paramsSchema: z.object({}).strict(),
  provides: () => ({ axes: ['layer', 'epoch'], kinds: ['activations', METRICS_KIND], exact: [] }),
  create: (_p, context) => ({
    observe: () =>
      new Observable<Observation>((s) => {
        const draw = context.random.split('x');
        for (let epoch = 0; epoch <= 2; epoch++) {
          const time = { axis: 'epoch', index: epoch };
          if (epoch > 0)
            s.next({
              system: context.name,
              site: { axis: 'epoch', index: epoch, time },
              kind: METRICS_KIND,
              shape: [],
              metrics: [{ name: 'train-loss', value: 1 / epoch, unit: 'nat' }],
              meta: {},
            });
          for (let layer = 0; layer < 3; layer++)
            s.next({
              system: context.name,
              site: { axis: 'layer', index: layer, time },
              kind: 'activations',
              data: Float64Array.of(10 * epoch + layer + draw.uniform() * 1e-9),
              shape: [1, 1],
              meta: {},
            });
        }
        s.complete();
      }),
  }),
};
// A probe with a reference site (the first of its stream) and a random draw: value = x − x_reference.
const referenceProbe: ProbeDescriptor<Record<string, never>> = {
  id: 'minus-reference',
  version: '1.0.0',
  summary: 'test probe: difference from the first site of the stream',
  paramsSchema: z.object({}).strict(),
  requires: () => ({ kinds: ['activations'] }),
  create: (_p, context) => ({
    id: 'minus-reference',
    estimator: 'exact',
    apply: (observations) => {
      let reference: number | undefined;
      const draw = context.random.uniform();
      return observations.pipe(
        map((o) => {
          if (o.kind === METRICS_KIND) throw new Error('received a metrics observation');
          reference ??= o.data![0]!;
          return {
            probe: 'minus-reference',
            estimator: 'exact',
            site: o.site,
            value: o.data![0]! - reference,
            unit: 'nat',
            n: null,
            meta: { draw },
          };
        }),
      );
    },
  }),
};
const fakes = new ContainerModule(({ bind }) => {
  bind(SystemDescriptor).toConstantValue(timedSystem);
  bind(ProbeDescriptor).toConstantValue(referenceProbe);
});

describe('runner: training-time sites and metrics', () => {
  it('gives each training time its own probe instance, routes metrics to the metrics probe only, and records site.time', async () => {
    const registries = createRegistries([fakes, metricsModule]);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'entroscope-time-'));
    const file = path.join(dir, 'study.yaml');
    fs.writeFileSync(
      file,
      'name: timed\nbackend: cpu\nsystems: [{ name: net, use: timed-fake }]\nprobes: [{ name: d, use: minus-reference }, { name: m, use: training-metrics }]\nreport: { figures: [{ title: by epoch, probes: [d], references: [{ label: published values, x: 1, y: 1.5 }] }] }\n',
    );
    await runStudy(loadStudy(file, registries), registries, {
      out: path.join(dir, 'out'),
      resolveBackend: async () => ({ handle: { id: 'cpu' }, record: { id: 'cpu' } }),
    });
    const records = fs
      .readFileSync(path.join(dir, 'out', 'results.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map(parseRecord);
    const d = records.filter((r) => r.probe === 'd');
    // Reference = layer 0 of the same epoch, so the difference is the layer index at every epoch.
    expect(d.map((r) => [r.site.time!.index, r.site.index, Math.round(r.value)])).toEqual(
      [0, 1, 2].flatMap((e) => [0, 1, 2].map((l) => [e, l, l])),
    );
    expect(d[0]!.site.time).toEqual({ axis: 'epoch', index: 0 });
    // Each time's instance draws from its own stream (split by the time).
    expect(new Set(d.map((r) => r.meta['draw'])).size).toBe(3);
    const m = records.filter((r) => r.probe === 'm');
    expect(m.map((r) => [r.site.axis, r.site.index, r.estimator, r.value])).toEqual([
      ['epoch', 1, 'train-loss', 1],
      ['epoch', 2, 'train-loss', 0.5],
    ]);
    // The report draws one curve per training time, plus the study's reference data.
    const plots = path.join(dir, 'out', 'plots');
    const svg = fs.readFileSync(
      path.join(
        plots,
        fs.readdirSync(plots).find((f) => f.startsWith('figure-1-') && f.endsWith('.svg'))!,
      ),
      'utf8',
    );
    for (const label of ['epoch 0', 'epoch 1', 'epoch 2', 'published values']) expect(svg).toContain(label);
    const csv = fs.readFileSync(path.join(dir, 'out', 'results.csv'), 'utf8').split('\n');
    expect(csv[0]).toContain('time.axis');
    expect(csv[0]).toContain('time.index');
  });
});
