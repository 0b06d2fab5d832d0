const { RandomStream } = require('@entroscope/core');
const { resolveKernelBackend, kernelsFor } = require('@entroscope/kernels');
const nn = require('@entroscope/nn');
(async () => {
  const { backend } = await resolveKernelBackend('cpu', {});
  const k = kernelsFor(backend);
  const r = RandomStream.fromSeed(1);
  const widths = [784, ...new Array(28).fill(784), 400, 10];
  const model = nn.mlp({ widths, activation: 'tanh', outputActivation: 'tanh', weightInit: nn.normalFanIn(2), biasInit: nn.normal(0.05), random: r.split('i') });
  const opt = new nn.Sgd({ lr: 0.005, momentum: 0.8 });
  const x = { rows: 64, cols: 784, data: new Float32Array(64 * 784).map((_, i) => (i % 7) / 7) };
  const y = new Int32Array(64).map((_, i) => i % 10);
  for (let i = 0; i < 12; i++) {
    const t = process.hrtime.bigint();
    await nn.trainStep(model, nn.crossEntropyFromLogits, opt, x, y, k);
    console.log('step', i, Number(process.hrtime.bigint() - t) / 1e6, 'ms');
  }
  const t = process.hrtime.bigint();
  await model.forward({ rows: 1000, cols: 784, data: new Float32Array(1000 * 784) }, { kernels: k, training: false });
  console.log('forward 1000', Number(process.hrtime.bigint() - t) / 1e6, 'ms');
  process.exit(0);
})();
