import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRegistries } from './container';
import { loadStudy, runStudy } from './run-study';
import { parseRecord } from './results-store';
import { resolveBackend } from './backend';

// The MLP probes written for random-mlp run unchanged on a trained network's (layer, epoch) sites.
const study = `name: trained-probes
backend: cpu
systems:
  - name: net
    use: trained-mlp
    params:
      sigmaW2: 2
      depth: 4
      widths: { schedule: wide, hidden: 32, penultimate: 16 }
      train: { count: 128 }
      validation: { count: 64 }
      evaluation: { count: 8 }
      epochs: 2
      observeAt: { axis: epoch, at: [0, 1, 2] }
      pushforward: { samples: 16 }
      jacobian: { directions: 2, inputs: 2 }
probes:
  - { name: authors, use: mlp-relative-entropy }
  - { name: fit, use: mlp-relative-entropy, params: { estimator: { use: gaussian-fit } } }
  - { name: mi, use: two-input-mutual-information }
  - { name: gram, use: gram-entropy }
  - { name: jacobian, use: jacobian-norm }
  - { name: metrics, use: training-metrics }
`;

describe('existing probes on trained-mlp', () => {
  it('every MLP probe measures each layer at each epoch, with its reference at layer 0 of the same epoch', async () => {
    const registries = createRegistries();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'entroscope-trained-'));
    fs.writeFileSync(path.join(dir, 'study.yaml'), study);
    await runStudy(loadStudy(path.join(dir, 'study.yaml'), registries), registries, {
      out: path.join(dir, 'out'),
      resolveBackend,
    });
    const records = fs
      .readFileSync(path.join(dir, 'out', 'results.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map(parseRecord);
    for (const probe of ['authors', 'fit', 'mi', 'gram', 'jacobian']) {
      const mine = records.filter((r) => r.probe === probe);
      expect(mine.map((r) => `${r.site.time!.index}:${r.site.index}`)).toEqual([
        '0:0',
        '0:1',
        '0:2',
        '0:3',
        '1:0',
        '1:1',
        '1:2',
        '1:3',
        '2:0',
        '2:1',
        '2:2',
        '2:3',
      ]);
      expect(mine.every((r) => typeof r.value === 'number' && !Number.isNaN(r.value))).toBe(true);
    }
    // D_0 := 0 at every epoch (the reference is re-taken per training time); later layers are not.
    const authors = records.filter((r) => r.probe === 'authors');
    expect(authors.filter((r) => r.site.index === 0).map((r) => r.value)).toEqual([0, 0, 0]);
    expect(authors.filter((r) => r.site.index === 1).every((r) => r.value !== 0)).toBe(true);
    const metrics = records.filter((r) => r.probe === 'metrics');
    expect(metrics.filter((r) => r.estimator === 'validation-accuracy').map((r) => r.site.index)).toEqual([0, 1, 2]);
    expect(metrics.filter((r) => r.estimator === 'train-loss').map((r) => r.site.index)).toEqual([1, 2]);
    fs.rmSync(dir, { recursive: true, force: true });
  }, 60_000);
});
