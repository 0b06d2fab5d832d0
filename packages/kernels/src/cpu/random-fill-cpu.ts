import type { RandomStream } from '@entroscope/core';

/**
 * Seeded random fills (reference semantics): element i receives the i-th `random.uniform()` (53-bit double in
 * [0, 1)) or `mean + sd·random.normal()` (Box–Muller pairs from the stream, see @entroscope/core), in order,
 * rounded to the array's precision. Same stream state → same numbers on every backend: backends never draw
 * their own randoms (gpu.js integer arithmetic is unreliable for generators).
 */
export function fillUniformCpu<T extends Float32Array | Float64Array>(random: RandomStream, out: T): T {
  return random.fillUniform(out);
}

export function fillNormalCpu<T extends Float32Array | Float64Array>(
  random: RandomStream,
  out: T,
  mean = 0,
  sd = 1,
): T {
  return random.fillNormal(out, mean, sd);
}
