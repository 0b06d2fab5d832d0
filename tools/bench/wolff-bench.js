#!/usr/bin/env node
// Wolff cluster-update throughput of @entroscope/system-ising (WolffUpdater, built dist) on an L × L torus at K,
// for comparison with tools/bench/wolff_numpy.py. Prints one JSON line with flips per second.
// Usage: npm run build && node tools/bench/wolff-bench.js L K seconds
const { WolffUpdater } = require('@entroscope/system-ising');
const { Xoshiro128 } = require('@entroscope/kernels');

const L = Number(process.argv[2] ?? 256);
const K = Number(process.argv[3] ?? 0.4406868);
const budget = Number(process.argv[4] ?? 5);
const updater = new WolffUpdater(L, K);
const rng = new Xoshiro128([1, 2, 3, 4]);
const spins = new Int8Array(L * L);
for (let i = 0; i < spins.length; i++) spins[i] = rng.next() & 1 ? 1 : -1;
for (let c = 0; c < 200; c++) updater.cluster(spins, rng); // warm-up (JIT and typical cluster sizes)
let clusters = 0;
let flips = 0;
const start = process.hrtime.bigint();
let seconds = 0;
while (seconds < budget) {
  for (let c = 0; c < 16; c++) flips += updater.cluster(spins, rng);
  clusters += 16;
  seconds = Number(process.hrtime.bigint() - start) / 1e9;
}
console.log(
  JSON.stringify({
    workload: 'wolff',
    impl: 'typescript',
    L,
    K,
    clusters,
    flips,
    seconds,
    flipsPerSecond: flips / seconds,
  }),
);
