import { RandomStream } from '@entroscope/core';
import type { BackendId, KernelBackend } from './backend';
import type { KernelFamily } from './kernel-names';

/**
 * Probe workloads of each kernel family for `auto` (each ≈ 1–20 ms on the cpu backend): median of 3 timed runs
 * after one warm-up (which also compiles gpu.js kernels). Inputs come from a fixed seed.
 */
export async function measureFamilies(
  ids: readonly BackendId[],
  backendOf: (id: BackendId) => KernelBackend,
): Promise<Record<KernelFamily, Record<string, number>>> {
  const random = RandomStream.fromSeed(20240611);
  const n = 128;
  const a = random.fillNormal(new Float32Array(n * n));
  const b = random.fillNormal(new Float32Array(n * n));
  const x = random.fillNormal(new Float32Array(256 * 256));
  const points = random.fillNormal(new Float32Array(512 * 8));
  const L = 128;
  const spins = new Int8Array(L * L).map((_, i) => (((i * 2654435761) >>> 16) & 1 ? 1 : -1));
  const uniforms = random.fillUniform(new Float32Array((L * L) / 2));
  const workloads: Record<KernelFamily, (k: KernelBackend) => Promise<unknown>> = {
    dense: (k) => k.matmul(a, b, n, n, n, { activation: 'tanh' }),
    elementwise: (k) => k.activation('tanh', x),
    reduction: (k) => k.rowVariance(x, 256, 256),
    histogram: (k) => k.histogram1d(x, 100, { lo: -4, hi: 4 }),
    distance: (k) => k.pairwiseSquaredDistances(points, points, 512, 512, 8),
    ising: (k) => k.isingCheckerboardHalfSweep(spins.slice(), L, 0.44, 0, uniforms),
    random: (k) => k.fillNormal(RandomStream.fromSeed(1), new Float32Array(1 << 16)),
  };
  const timings = {} as Record<KernelFamily, Record<string, number>>;
  for (const family of Object.keys(workloads) as KernelFamily[]) {
    timings[family] = {};
    for (const id of ids) {
      const backend = backendOf(id);
      const times: number[] = [];
      for (let r = 0; r < 4; r++) {
        const t = performance.now();
        await workloads[family](backend);
        if (r > 0) times.push(performance.now() - t);
      }
      times.sort((p, q) => p - q);
      timings[family][id] = Math.round(times[1]! * 1000) / 1000;
    }
  }
  return timings;
}
