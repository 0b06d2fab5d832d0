const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { checkWorkspace } = require('./check-boundaries');

function workspace(files) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'entroscope-lint-'));
  for (const [file, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), typeof content === 'string' ? content : JSON.stringify(content));
  }
  return root;
}
const pkg = (name, tag, deps = {}) => ({ name: `@entroscope/${name}`, nx: { tags: [tag] }, dependencies: deps });

describe('boundary lint', () => {
  it('passes on this repository', () => {
    expect(checkWorkspace(path.join(__dirname, '..', '..'))).toEqual([]);
  });

  it('fails when core imports a plugin', () => {
    const root = workspace({
      'packages/core/package.json': pkg('core', 'type:core', { '@entroscope/probe-x': '0.1.0' }),
      'packages/core/src/index.ts': "import { x } from '@entroscope/probe-x';\n",
      'packages/probe-x/package.json': pkg('probe-x', 'type:probe'),
      'packages/probe-x/src/index.ts': 'export const x = 1;\n',
    });
    expect(checkWorkspace(root).join('\n')).toMatch(
      /@entroscope\/core \[type:core\] may not import @entroscope\/probe-x/,
    );
  });

  it('fails when a system imports a probe or another system', () => {
    const root = workspace({
      'packages/system-a/package.json': pkg('system-a', 'type:system', {
        '@entroscope/probe-x': '0.1.0',
        '@entroscope/system-b': '0.1.0',
      }),
      'packages/system-a/src/a.ts': "import '@entroscope/probe-x';\nimport '@entroscope/system-b';\n",
      'packages/system-b/package.json': pkg('system-b', 'type:system'),
      'packages/probe-x/package.json': pkg('probe-x', 'type:probe'),
    });
    const violations = checkWorkspace(root);
    expect(violations).toHaveLength(2);
  });

  it('fails when a probe imports another probe outside its specs, and lets probes and systems import estimators', () => {
    const root = workspace({
      'packages/probe-a/package.json': pkg('probe-a', 'type:probe', {
        '@entroscope/probe-b': '0.1.0',
        '@entroscope/estimators': '0.1.0',
      }),
      'packages/probe-a/src/a.ts': "import '@entroscope/probe-b';\nimport '@entroscope/estimators';\n",
      'packages/probe-a/src/a.spec.ts': "import '@entroscope/probe-b';\n",
      'packages/probe-b/package.json': pkg('probe-b', 'type:probe'),
      'packages/system-a/package.json': pkg('system-a', 'type:system', { '@entroscope/estimators': '0.1.0' }),
      'packages/system-a/src/a.ts': "import '@entroscope/estimators';\n",
      'packages/estimators/package.json': pkg('estimators', 'type:estimators'),
    });
    const violations = checkWorkspace(root);
    expect(violations).toHaveLength(1);
    expect(violations[0]).toMatch(
      /probe-a\/src\/a\.ts: @entroscope\/probe-a \[type:probe\] may not import @entroscope\/probe-b/,
    );
  });

  it('fails on gpu.js outside kernels, inversify outside module files, Math.random, deep and undeclared imports', () => {
    const root = workspace({
      'packages/core/package.json': pkg('core', 'type:core'),
      'packages/system-a/package.json': pkg('system-a', 'type:system'),
      'packages/system-a/src/a.ts':
        "import { GPU } from 'gpu.js';\nimport { Container } from 'inversify';\nconst r = Math.random();\nimport { z } from '@entroscope/core/src/study';\n",
      'packages/system-a/src/a.module.ts': "import { ContainerModule } from 'inversify';\n",
    });
    const text = checkWorkspace(root).join('\n');
    expect(text).toMatch(/gpu\.js appears only in packages\/kernels/);
    expect(text).toMatch(/a\.ts: imports 'inversify'/);
    expect(text).not.toMatch(/a\.module\.ts: imports 'inversify'/);
    expect(text).toMatch(/no ambient randomness/);
    expect(text).toMatch(/deep import/);
    expect(text).toMatch(/does not declare it/);
  });
});
