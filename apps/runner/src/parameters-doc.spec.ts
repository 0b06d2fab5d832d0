import * as fs from 'node:fs';
import * as path from 'node:path';
import { listDescriptorsMarkdown } from './cli';
import { createRegistries } from './container';

// docs/parameters.md is generated from the registered plugins' schemas. It must equal what they generate now, so that
// a parameter added, renamed or re-defaulted in code cannot be missing from the docs a clone ships with.
describe('docs/parameters.md', () => {
  const file = path.resolve(__dirname, '..', '..', '..', 'docs', 'parameters.md');
  const registries = createRegistries();
  const generated = listDescriptorsMarkdown(registries);

  it('equals the reference generated from the registered schemas (regenerate: npm run docs:params)', () => {
    const committed = fs.readFileSync(file, 'utf8');
    if (committed !== generated) {
      const a = committed.split('\n');
      const b = generated.split('\n');
      const line = a.findIndex((l, i) => l !== b[i]);
      throw new Error(
        `docs/parameters.md is out of date at line ${line + 1}: committed ${JSON.stringify(a[line])}, generated ${JSON.stringify(b[line])}; run npm run docs:params`,
      );
    }
  });

  it('lists every registered plugin, and the nested union options the trained-mlp docs name', () => {
    for (const d of [...registries.systems.list(), ...registries.probes.list()]) {
      expect(generated).toContain(`### \`${d.id}\` (v${d.version})`);
    }
    const trained = generated.slice(generated.indexOf('### `trained-mlp`'));
    for (const key of [
      'weightInit:',
      'outputActivation:',
      'metricsAt:',
      'observeAt:',
      '| axis: "log-epoch"',
      '| source: "twelve-bit"',
    ])
      expect(trained.slice(0, trained.indexOf('\n### '))).toContain(key);
  });
});
