import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRegistries } from './container';
import { loadStudy, profilesOf } from './run-study';
import { expandTasks } from '@entroscope/core';

const studiesDir = path.resolve(__dirname, '..', '..', '..', 'studies');
// studies/ and its folders (paper/: the paper-size runs; needs-data/: studies that need a user-given data set):
// every file validates, not only the ones `npm run test:studies` runs.
const files = ['', 'paper', 'needs-data']
  .flatMap((dir) =>
    fs
      .readdirSync(path.join(studiesDir, dir))
      .filter((f) => /\.(ya?ml|json)$/.test(f))
      .map((f) => path.join(dir, f)),
  )
  .sort();

describe('every study in studies/', () => {
  const registries = createRegistries();
  it('exists', () => {
    expect(files).toEqual(
      expect.arrayContaining([
        'quickstart.yaml',
        'ising-2d-rg.yaml',
        'ising-2d-criticality.yaml',
        'rg-vs-depth.yaml',
        'mlp-relative-entropy.yaml',
        'mlp-phase-diagram.yaml',
      ]),
    );
  });
  it.each(files)('%s validates against the registered plugins and expands into tasks', (file) => {
    const study = loadStudy(path.join(studiesDir, file), registries);
    expect(study.description?.length ?? 0).toBeGreaterThan(20);
    expect(expandTasks(study, registries).length).toBeGreaterThan(0);
  });
  const profiles = files.flatMap((file) => profilesOf(path.join(studiesDir, file)).map((p) => [file, p] as const));
  it.each(profiles.length > 0 ? profiles : ([['(no study declares profiles)', '']] as const))(
    '%s --profile %s validates and expands into tasks',
    (file, profile) => {
      if (profile === '') return;
      const study = loadStudy(path.join(studiesDir, file), registries, { profile });
      expect(study.profile).toBe(profile);
      expect(expandTasks(study, registries).length).toBeGreaterThan(0);
    },
  );
});
