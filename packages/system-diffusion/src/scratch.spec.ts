import { RandomStream } from '@entroscope/core';
import { kernelsFor } from '@entroscope/kernels';
import { VariancePreservingProcess, isotropicGaussian, GaussianEntropyProduction, ScoreNetwork, EntropyMatchingTrainer, ExactExcessScore, entropyIntegrals, authorsGrid, gaussLegendreGrid, likelihoodBound } from './index';
jest.setTimeout(600000);
it('trains', async () => {
  const kernels = kernelsFor({ id: 'cpu' });
  const vp = new VariancePreservingProcess('vp', 1);
  const data = isotropicGaussian([2, 1], 0.25);
  const exact = new GaussianEntropyProduction(data, vp);
  const N = 2048;
  const x = Float32Array.from(data.sample(N, RandomStream.fromSeed(1)));
  const test = Float32Array.from(data.sample(2000, RandomStream.fromSeed(2)));
  const net = new ScoreNetwork({ dimension: 2, hidden: [64, 32], mappingSize: 16, random: RandomStream.fromSeed(3) }).withKernels(kernels);
  const trainer = new EntropyMatchingTrainer(net, vp, x, N, { batchSize: 32, throws: 10, learningRate: 2e-3, likelihoodWeighting: false }, kernels);
  const star = new ExactExcessScore(data, vp);
  const grid = gaussLegendreGrid(vp);
  console.log('S_tot exact', exact.total(1), 'params', net.size);
  for (let e = 0; e < 12; e++) {
    const t0 = Date.now();
    const loss = await trainer.epoch(RandomStream.fromSeed(4).split(`epoch:${e}`));
    const t1 = Date.now();
    const r = await entropyIntegrals(net, star, vp, test, 2000, grid, RandomStream.fromSeed(5));
    console.log(e, loss.toFixed(4), (t1 - t0) + 'ms', 'SNN', r.neural.value.toFixed(4), '±', r.neural.standardError.toFixed(4), 'Stot', r.total!.value.toFixed(4), 'LEM', r.matching!.value.toFixed(4), 'sum', (r.matching!.value + r.neural.value).toFixed(4), 'C', r.cross!.value.toFixed(4), Date.now() - t1);
  }
  const a = await entropyIntegrals(net, star, vp, test, 2000, authorsGrid(), RandomStream.fromSeed(5));
  console.log('authors grid', a.neural.value, a.total!.value);
  const lb = await likelihoodBound(net, vp, test.subarray(0, 400), 200, 500, RandomStream.fromSeed(6));
  const lbs = await likelihoodBound(star, vp, test.subarray(0, 400), 200, 500, RandomStream.fromSeed(6));
  let kl = 0, kls = 0; const pt = new Float64Array(2);
  for (let i = 0; i < 200; i++) { pt[0] = test[2*i]!; pt[1] = test[2*i+1]!; const l = data.logDensity(pt); kl += (l - lb.bound[i]!)/200; kls += (l - lbs.bound[i]!)/200; }
  console.log('KL bound net', kl, 'exact', kls, 'se', lb.standardError[0]);
});
