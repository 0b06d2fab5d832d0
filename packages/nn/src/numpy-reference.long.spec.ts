import { maxLossDifference, numpyUnavailableReason, trainBothSides } from './numpy-reference.spec-helper';

// The full check: one epoch over all 60 000 MNIST training images, batch 64, unshuffled (the authors' loader),
// the 3-layer tanh network 784-784-400-10, SGD lr 0.005 momentum 0.8; 938 steps, the last of 32 images.
// Tolerance 1e-5 on |Δloss| over the whole curve (float32: ~100 ulps of a loss near 1); measured 8.0e-8
// (losses 2.456 → 0.934; ~140 s here with the machine under load).
const reason = numpyUnavailableReason();

describe('NumPy second implementation, full MNIST epoch', () => {
  if (reason) {
    it.skip(`reproduces the loss curve over one epoch [SKIPPED: ${reason}]`, () => undefined);
    return;
  }
  it('reproduces the loss curve of the 3-layer tanh network over one MNIST epoch', async () => {
    const { typescript, numpy } = await trainBothSides({
      count: 60000,
      widths: [784, 784, 400, 10],
      shuffle: false,
      seed: 1,
    });
    expect(typescript).toHaveLength(938);
    const worst = maxLossDifference(typescript, numpy);
    console.log(
      `largest |Δloss| over 938 steps: ${worst.toExponential(2)} (first ${typescript[0]!.toFixed(4)}, last ${typescript[937]!.toFixed(4)})`,
    );
    expect(worst).toBeLessThan(1e-5);
  }, 600000);
});
