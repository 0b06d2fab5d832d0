import { firstValueFrom, lastValueFrom, toArray } from 'rxjs';
import { RandomStream } from '@entroscope/core';
import { histogram1dCpu } from './cpu/histogram-cpu';
import { pairwiseSquaredDistancesCpu } from './cpu/distance-cpu';
import { histogramOfBatches, normalBatches, pairwiseSquaredDistanceBlocks, uniformBatches } from './streams';
import { kernelsFor } from './resolve-backend';

const concat = (batches: { data: Float32Array }[]) => Float32Array.from(batches.flatMap((b) => Array.from(b.data)));

describe('batch streams', () => {
  it('random batches are deterministic, independent of the batch size, and repeat per subscription', async () => {
    const random = RandomStream.fromSeed(4);
    const a = await firstValueFrom(normalBatches(random, 1001, 100).pipe(toArray()));
    const b = await firstValueFrom(normalBatches(random, 1001, 333).pipe(toArray()));
    expect(a.map((x) => x.offset)).toEqual([0, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]);
    expect(concat(a)).toEqual(concat(b));
    const u = uniformBatches(random, 50, 7);
    expect(concat(await firstValueFrom(u.pipe(toArray())))).toEqual(concat(await firstValueFrom(u.pipe(toArray()))));
    expect(await firstValueFrom(uniformBatches(random, 0, 7).pipe(toArray()))).toEqual([]);
  });

  it('histogramOfBatches equals the one-shot histogram, per subscription, and emits running counts', async () => {
    const random = RandomStream.fromSeed(9);
    const all = concat(await firstValueFrom(normalBatches(random, 5000, 512).pipe(toArray())));
    const counts$ = normalBatches(random, 5000, 512).pipe(histogramOfBatches(20, { lo: -3, hi: 3 }));
    const want = histogram1dCpu(all, 20, { lo: -3, hi: 3 });
    expect(await lastValueFrom(counts$)).toEqual(want);
    expect(await lastValueFrom(counts$)).toEqual(want);
    const running = await firstValueFrom(
      normalBatches(random, 5000, 512).pipe(histogramOfBatches(20, { lo: -3, hi: 3 }, { running: true }), toArray()),
    );
    expect(running.length).toBe(10);
    expect(running[9]).toEqual(want);
  });

  it('distance row blocks tile the full distance matrix', async () => {
    const random = RandomStream.fromSeed(1);
    const x = random.fillNormal(new Float32Array(23 * 4));
    const blocks = await firstValueFrom(
      pairwiseSquaredDistanceBlocks(kernelsFor({ id: 'cpu' }), x, x, 23, 23, 4, 5).pipe(toArray()),
    );
    expect(concat(blocks)).toEqual(pairwiseSquaredDistancesCpu(x, x, 23, 23, 4));
  });
});
