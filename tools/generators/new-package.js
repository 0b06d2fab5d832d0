#!/usr/bin/env node
// Scaffolds a workspace package: `node tools/generators/new-package.js <dir> <tag> [dep ...]`
//   e.g. node tools/generators/new-package.js packages/probe-foo type:probe core
// Writes package.json (with nx tags), tsconfig.lib.json, jest configs and src/index.ts, and adds the
// package to the root tsconfig.json references. See docs/adding-a-probe.md.
const fs = require('node:fs');
const path = require('node:path');

const [dir, tag, ...deps] = process.argv.slice(2);
if (!dir || !tag) {
  console.error('usage: new-package.js <packages/name|apps/name> <type:tag> [dependency-package-dir-name ...]');
  process.exit(2);
}
const root = path.resolve(__dirname, '..', '..');
const abs = path.join(root, dir);
const base = path.basename(dir);
const name = `@entroscope/${base}`;
if (fs.existsSync(path.join(abs, 'package.json'))) {
  console.error(`${dir}/package.json exists already`);
  process.exit(2);
}
fs.mkdirSync(path.join(abs, 'src'), { recursive: true });
const depDir = (d) => (fs.existsSync(path.join(root, 'packages', d)) ? `packages/${d}` : `apps/${d}`);
const write = (file, text) => fs.writeFileSync(path.join(abs, file), text);
write(
  'package.json',
  JSON.stringify(
    {
      name,
      version: '0.1.0',
      private: true,
      main: 'dist/index.js',
      types: 'dist/index.d.ts',
      files: ['dist'],
      scripts: {
        build: 'tsc -b tsconfig.lib.json',
        test: 'jest',
        'test-long': 'jest -c jest.long.config.js --passWithNoTests',
      },
      nx: { tags: [tag] },
      dependencies: Object.fromEntries(deps.map((d) => [`@entroscope/${d}`, '0.1.0'])),
    },
    null,
    2,
  ) + '\n',
);
const rel = path.relative(abs, root).split(path.sep).join('/');
write(
  'tsconfig.lib.json',
  JSON.stringify(
    {
      extends: `${rel}/tsconfig.base.json`,
      compilerOptions: { rootDir: 'src', outDir: 'dist', tsBuildInfoFile: 'dist/tsconfig.lib.tsbuildinfo' },
      include: ['src/**/*.ts'],
      exclude: ['src/**/*.spec.ts'],
      references: deps.map((d) => ({
        path: `${path
          .relative(abs, path.join(root, depDir(d)))
          .split(path.sep)
          .join('/')}/tsconfig.lib.json`,
      })),
    },
    null,
    2,
  ) + '\n',
);
write('jest.config.js', `module.exports = require('${rel}/jest.preset.js')(__dirname);\n`);
write('jest.long.config.js', `module.exports = require('${rel}/jest.preset.js').long(__dirname);\n`);
if (!fs.existsSync(path.join(abs, 'src', 'index.ts'))) write('src/index.ts', `export {};\n`);
const rootTsconfig = path.join(root, 'tsconfig.json');
const solution = fs.existsSync(rootTsconfig)
  ? JSON.parse(fs.readFileSync(rootTsconfig, 'utf8'))
  : { files: [], references: [] };
const ref = `./${dir}/tsconfig.lib.json`;
if (!solution.references.some((r) => r.path === ref)) solution.references.push({ path: ref });
fs.writeFileSync(rootTsconfig, JSON.stringify(solution, null, 2) + '\n');
console.log(`created ${name} in ${dir} (tag ${tag}); run npm install to link it`);
