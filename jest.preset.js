// Shared jest configuration. Tests run from TypeScript sources (no build needed): every
// `@entroscope/<name>` import is mapped to that workspace package's `src/index.ts`.
const fs = require('node:fs');
const path = require('node:path');

const root = __dirname;

function workspaceSourceMap() {
  const map = {};
  for (const group of ['packages', 'apps']) {
    const dir = path.join(root, group);
    if (!fs.existsSync(dir)) continue;
    for (const entry of fs.readdirSync(dir)) {
      const manifest = path.join(dir, entry, 'package.json');
      if (!fs.existsSync(manifest)) continue;
      const { name } = JSON.parse(fs.readFileSync(manifest, 'utf8'));
      map[`^${name.replace('/', '\\/')}$`] = path.join(dir, entry, 'src', 'index.ts');
    }
  }
  return map;
}

const swcOptions = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2022',
  },
  module: { type: 'commonjs' },
  sourceMaps: 'inline',
};

/** @param {string} projectDir @param {object} [overrides] */
module.exports = function preset(projectDir, overrides = {}) {
  return {
    rootDir: projectDir,
    testEnvironment: 'node',
    transform: { '^.+\\.(t|j)s$': [require.resolve('./tools/jest/swc-transform.js'), swcOptions] },
    moduleNameMapper: workspaceSourceMap(),
    testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/lint/**/*.spec.ts', '<rootDir>/bench/**/*.spec.ts'],
    testPathIgnorePatterns: ['/node_modules/', '/dist/', '\\.long\\.spec\\.ts$', '\\.run\\.spec\\.ts$'],
    coverageProvider: 'v8',
    ...overrides,
  };
};

/** Configuration for the separate long-running target (`*.long.spec.ts`). */
module.exports.long = function longPreset(projectDir) {
  return module.exports(projectDir, {
    testMatch: ['<rootDir>/src/**/*.long.spec.ts'],
    testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  });
};

/** Configuration of the runner's study target (`*.run.spec.ts`: every study in studies/ run twice end to end). */
module.exports.studies = function studiesPreset(projectDir) {
  return module.exports(projectDir, {
    testMatch: ['<rootDir>/src/**/*.run.spec.ts'],
    testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  });
};
