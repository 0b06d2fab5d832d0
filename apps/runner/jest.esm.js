// vega, vega-lite and their d3 dependencies are ESM-only; jest (CommonJS) transforms them like our sources
// (.js and .mjs, with the same swc transform). The built runner loads them with a real dynamic import() instead
// (apps/runner/src/report/render.ts).
const esm = [
  'vega',
  'vega-[a-z-]+',
  'd3-[a-z-]+',
  'delaunator',
  'robust-predicates',
  'internmap',
  'json-stringify-pretty-compact',
  'topojson-client',
];
// vega-canvas's node build probes the optional native 'canvas' package with a top-level await, which CommonJS cannot
// express; its browser build behaves the same where neither a DOM nor 'canvas' exists (no canvas: text widths are
// estimated), which is also what the built runner gets, since 'canvas' is not installed.
const path = require('node:path');
module.exports = (config) => {
  const [pattern, transformer] = Object.entries(config.transform)[0];
  const vegaCanvas = path.join(__dirname, '..', '..', 'node_modules', 'vega-canvas', 'build', 'vega-canvas.browser.js');
  return {
    ...config,
    transform: { [pattern]: transformer, '^.+\\.mjs$': transformer },
    transformIgnorePatterns: [`/node_modules/(?!(${esm.join('|')})/)`],
    moduleNameMapper: { ...config.moduleNameMapper, '^vega-canvas$': vegaCanvas },
    // A run now ends by drawing its figures (SVG and PNG, about a second each on a busy 2-core machine).
    testTimeout: 60_000,
  };
};
