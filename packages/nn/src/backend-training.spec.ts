import { RandomStream } from '@entroscope/core';
import { MnistDataset } from '@entroscope/datasets';
import { backendIds, checkBackend, kernelsFor, type BackendId } from '@entroscope/kernels';
import { kernelBackendSkips } from '@entroscope/testing';
import { normal, normalFanIn } from './initialisers';
import { crossEntropyFromLogits } from './losses';
import { minibatches } from './minibatches';
import { mlp } from './mlp';
import { Sgd } from './optimisers';
import { labelledExamples, trainEpoch } from './training';

// Training conformance: every backend trains the same network from the same weights and batch order to the
// loss curve of the cpu backend within float32 tolerance. 784-48-24-10 tanh (output tanh), N(0, 1.5/fan_in),
// N(0, 0.05) biases, SGD lr 0.05 momentum 0.8, 8 batches of 32 MNIST images. Dense products, the activations
// and their derivatives run on the backend under test. Tolerance: |Δloss| ≤ 1e-5 per step (float32 GEMMs with
// different summation orders; measured 2.0e-8 on gpujs:cpu, 2.4e-8 on gpujs:webasm). Backends that cannot run here are registered as skipped
// with the reason (GPU modes on a machine without a GPU or without the native gl build).

async function lossCurve(id: BackendId): Promise<Float64Array> {
  const random = RandomStream.fromSeed(21);
  const model = mlp({
    widths: [784, 48, 24, 10],
    activation: 'tanh',
    outputActivation: 'tanh',
    weightInit: normalFanIn(1.5),
    biasInit: normal(0.05),
    random: random.split('init'),
  });
  const train = MnistDataset.open('train');
  const examples = labelledExamples(train.readImages(0, 256), 784, train.readLabels(0, 256));
  train.close();
  const batches = minibatches(256, 32, { shuffle: true, random: random.split('order') });
  return trainEpoch({
    model,
    loss: crossEntropyFromLogits,
    optimiser: new Sgd({ lr: 0.05, momentum: 0.8 }),
    examples,
    batches,
    kernels: kernelsFor({ id }),
  });
}

describe('training conformance across backends', () => {
  let reference: Float64Array;
  beforeAll(async () => {
    reference = await lossCurve('cpu');
  });

  it('cpu: the loss falls over the 8 steps (the curve being compared is a real training curve)', () => {
    expect(reference).toHaveLength(8);
    expect(reference[7]!).toBeLessThan(reference[0]!);
  });

  for (const { id, reason } of kernelBackendSkips(backendIds.filter((b) => b !== 'cpu'))) {
    if (reason !== null) {
      it.skip(`${id} loss curve equals cpu's within 1e-5 [SKIPPED ${id}: ${reason}]`, () => undefined);
      continue;
    }
    it(`${id} loss curve equals cpu's within 1e-5`, async () => {
      const availability = await checkBackend(id);
      if (!availability.available)
        throw new Error(`${id} looked available but failed its full check: ${availability.reason}`);
      const curve = await lossCurve(id);
      let worst = 0;
      for (let i = 0; i < reference.length; i++) worst = Math.max(worst, Math.abs(curve[i]! - reference[i]!));
      expect(worst).toBeLessThan(1e-5);
    }, 120000);
  }

  afterAll(async () => {
    for (const id of backendIds) if (id !== 'cpu') await kernelsFor({ id }).dispose();
  });
});
