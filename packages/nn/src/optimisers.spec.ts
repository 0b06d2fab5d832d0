import { kernelsFor } from '@entroscope/kernels';
import { Dense } from './dense';
import { given } from './initialisers';
import { meanSquaredError } from './losses';
import { Adam, Sgd, type Optimiser } from './optimisers';
import { trainStep } from './training';
import { parameter } from './layer';

// The tiny problem: one dense unit without bias, w = (0.5, 0.25), input x = (1, 2), target 0, MSE loss (w·x)².
// ∂/∂w = 2(w·x)·x, so at the start the gradient is (2, 4). Expected values are worked by hand below; they are
// compared to float32 precision (values stored float32: |Δ| ≤ 1e-7 relative, so 6 decimals).
const kernels = kernelsFor({ id: 'cpu' });

async function twoSteps(optimiser: Optimiser): Promise<number[][]> {
  const layer = new Dense(2, 1, { weightInit: given([0.5, 0.25]), biasInit: null });
  const x = { rows: 1, cols: 2, data: Float32Array.from([1, 2]) };
  const t = { rows: 1, cols: 1, data: Float32Array.from([0]) };
  const out: number[][] = [];
  for (let s = 0; s < 2; s++) {
    await trainStep(layer, meanSquaredError, optimiser, x, t, kernels);
    out.push(Array.from(layer.parameters()[0]!.value));
  }
  return out;
}

const expectNear = (got: number[], want: number[]) => got.forEach((g, i) => expect(g).toBeCloseTo(want[i]!, 6));

describe('optimisers follow PyTorch’s update rules (hand-computed steps)', () => {
  it('SGD with momentum 0.9 and weight decay 0.01, lr 0.1', async () => {
    const [p1, p2] = await twoSteps(new Sgd({ lr: 0.1, momentum: 0.9, weightDecay: 0.01 }));
    // Step 1: g = (2, 4) + 0.01·(0.5, 0.25) = (2.005, 4.0025); buffer = g (first step, no dampening);
    //         w = (0.5, 0.25) − 0.1·g = (0.2995, −0.15025).
    expectNear(p1!, [0.2995, -0.15025]);
    // Step 2: w·x = −0.001, ∇ = (−0.002, −0.004); g = ∇ + 0.01·w = (0.000995, −0.0055025);
    //         buffer = 0.9·(2.005, 4.0025) + g = (1.805495, 3.5967475); w = w − 0.1·buffer.
    expectNear(p2!, [0.1189505, -0.50992475]);
  });

  it('SGD with Nesterov momentum and with dampening', async () => {
    // Nesterov, μ = 0.5, lr 0.1: step 1 buffer = g = (2, 4), update g + μ·buffer = (3, 6): w = (0.2, −0.35).
    const [n1] = await twoSteps(new Sgd({ lr: 0.1, momentum: 0.5, nesterov: true }));
    expectNear(n1!, [0.2, -0.35]);
    // Dampening 0.5, μ = 0.5, lr 0.1: step 1 ignores dampening (buffer = g): w = (0.3, −0.15); step 2: w·x = 0,
    // ∇ = 0, buffer = 0.5·(2, 4) + 0.5·0 = (1, 2): w = (0.2, −0.35).
    const [d1, d2] = await twoSteps(new Sgd({ lr: 0.1, momentum: 0.5, dampening: 0.5 }));
    expectNear(d1!, [0.3, -0.15]);
    expectNear(d2!, [0.2, -0.35]);
  });

  it('Adam (lr 0.1, β = (0.9, 0.999), ε = 1e-8, weight decay 0.1)', async () => {
    const [p1, p2] = await twoSteps(new Adam({ lr: 0.1, weightDecay: 0.1 }));
    // Step 1: g = (2, 4) + 0.1·w = (2.05, 4.025); m = 0.1 g, v = 0.001 g²; the bias corrections make the
    //         step lr·m̂/(√v̂ + ε) = 0.1·sign(g) (to 1e-9): w = (0.4, 0.15).
    expectNear(p1!, [0.4, 0.15]);
    // Step 2: w·x = 0.7, g = 1.4·(1, 2) + 0.1·w = (1.44, 2.815); m = (0.3285, 0.64375);
    //         v = (0.0062718975, 0.024108649375); step size 0.1/(1 − 0.9²) = 0.5263158; √(1 − 0.999²) = 0.0447102;
    //         w − 0.5263158·m/(√v/0.0447102 + 1e-8) = (0.30239126, 0.05243735).
    expectNear(p2!, [0.30239126, 0.05243735]);
  });

  it('Adam adds ε after the bias-corrected square root (visible when the gradient is tiny)', () => {
    // g = 1e-8 on the first step: m̂ = 1e-8, √v̂ = 1e-8, so the step is lr·1e-8/(1e-8 + 1e-8) = lr/2.
    const p = parameter('p', [1], Float32Array.from([1]));
    p.grad[0] = 1e-8;
    new Adam({ lr: 0.1 }).step([p]);
    expect(p.value[0]).toBeCloseTo(0.95, 6);
  });

  it('rejects invalid settings with the parameter named', () => {
    expect(() => new Sgd({ lr: -1 })).toThrow(/Sgd: lr/);
    expect(() => new Sgd({ lr: 0.1, nesterov: true })).toThrow(/nesterov/);
    expect(() => new Adam({ betas: [1, 0.999] })).toThrow(/betas\[0\]/);
  });
});
