import { workerData } from 'node:worker_threads';
// Loaded inside the try so that a failure to load still signals the waiting thread.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const load = () => require('./ksg-terms') as typeof import('./ksg-terms');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const loadBrute = () => require('./ksg-brute-force') as typeof import('./ksg-brute-force');

/** Worker thread of `ksgMutualInformation`: computes the KSG terms of its rows into shared memory and signals done. */
interface KsgWorkerData {
  x: SharedArrayBuffer;
  y: SharedArrayBuffer;
  terms: SharedArrayBuffer;
  counts: SharedArrayBuffer;
  control: SharedArrayBuffer;
  n: number;
  dx: number;
  dy: number;
  k: number;
  algorithm: 1 | 2;
  search: 'tree' | 'brute-force';
  from: number;
  to: number;
}
const w = workerData as KsgWorkerData;
const control = new Int32Array(w.control);
try {
  const Terms = w.search === 'brute-force' ? loadBrute().KsgBruteForceTerms : load().KsgTerms;
  const terms = new Terms(new Float64Array(w.x), new Float64Array(w.y), w.n, w.dx, w.dy, w.k, w.algorithm);
  terms.run(w.from, w.to, new Float64Array(w.terms), new Float64Array(w.counts));
} catch {
  Atomics.store(control, 1, 1);
}
Atomics.add(control, 0, 1);
Atomics.notify(control, 0);
