#!/usr/bin/env node
// KSG mutual information (algorithm 1, k = 4, max-norm) with @entroscope/estimators (built), on the data the SciPy
// reference (ksg_scipy.py) uses in distribution: x ~ N(0, I_dx), y = 0.5·x[:, :dy] + √0.75·N(0, I_dy).
// Usage: ksg-bench.js N DX DY  → one JSON line {"ms": ..., "value": ...}: one timed estimate after warm-up (as the
// harness's other TypeScript workloads: three estimates at N/10 and, up to N = 2·10⁴, two at full size, so that the
// JIT has compiled the tree code).
const path = require('node:path');
const root = path.resolve(__dirname, '..', '..');
const { RandomStream } = require(path.join(root, 'packages/core/dist'));
const { ksgMutualInformation } = require(path.join(root, 'packages/estimators/dist'));

const [n, dx, dy] = process.argv.slice(2, 5).map(Number);
function data(rows, seed) {
  const r = RandomStream.fromSeed(seed);
  const x = new Float64Array(rows * dx);
  const y = new Float64Array(rows * dy);
  for (let i = 0; i < rows; i++) {
    for (let a = 0; a < dx; a++) x[i * dx + a] = r.normal();
    for (let a = 0; a < dy; a++) y[i * dy + a] = 0.5 * x[i * dx + a] + Math.sqrt(0.75) * r.normal();
  }
  return [
    { values: x, n: rows, d: dx },
    { values: y, n: rows, d: dy },
  ];
}
const options = { k: 4, algorithm: 1, standardise: false, noise: 0 };
const [wx, wy] = data(Math.max(100, Math.floor(n / 10)), 2);
for (let i = 0; i < 3; i++) ksgMutualInformation(wx, wy, options);
const [x, y] = data(n, 1);
if (n <= 20_000) for (let i = 0; i < 2; i++) ksgMutualInformation(x, y, options);
const t = process.hrtime.bigint();
const r = ksgMutualInformation(x, y, options);
console.log(JSON.stringify({ ms: Number(process.hrtime.bigint() - t) / 1e6, value: r.value }));
