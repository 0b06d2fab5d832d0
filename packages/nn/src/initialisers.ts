import { ArgumentError, type RandomStream } from '@entroscope/core';
import { fillNormalFast } from '@entroscope/kernels';

/** Fan-in and fan-out of a weight (a bias uses the fan-in of its layer). */
export interface Fans {
  readonly fanIn: number;
  readonly fanOut: number;
}

/**
 * Fills a parameter with initial values drawn from `random` (which the initialiser owns: callers pass a stream
 * split for this parameter, so values do not depend on what else was drawn). `id` is recorded in provenance.
 */
export interface Initialiser {
  readonly id: string;
  fill(random: RandomStream, out: Float32Array, fans: Fans): void;
}

const positive = (where: string, v: number) => {
  if (!(Number.isFinite(v) && v >= 0)) throw new ArgumentError(where, 'a finite number ≥ 0', v);
};

/** N(0, σ_w²/fan_in): the mean-field initialisation (Poole et al. 2016; Schoenholz et al. 2017). */
export function normalFanIn(sigmaW2: number): Initialiser {
  positive('normalFanIn: σ_w²', sigmaW2);
  return {
    id: `normal(σw²=${sigmaW2}/fan_in)`,
    fill: (random, out, { fanIn }) => void fillNormalFast(random, out, 0, Math.sqrt(sigmaW2 / fanIn)),
  };
}

/** N(0, variance), independent of the fans (biases: variance σ_b²). Variance 0 gives zeros. */
export function normal(variance: number): Initialiser {
  positive('normal: variance', variance);
  return {
    id: `normal(variance=${variance})`,
    fill: (random, out) =>
      variance === 0 ? void out.fill(0) : void fillNormalFast(random, out, 0, Math.sqrt(variance)),
  };
}

/**
 * PyTorch's default `nn.Linear` initialisation: `kaiming_uniform_(a=√5)` on the weight, i.e. gain √(2/(1+a²)) =
 * √(1/3) and bound gain·√(3/fan_in) = 1/√fan_in, and the bias U(−1/√fan_in, 1/√fan_in); both are therefore
 * U(−1/√fan_in, 1/√fan_in) (torch/nn/modules/linear.py, reset_parameters). Uses the weight's fan-in for the bias.
 */
export function pytorchLinearDefault(): Initialiser {
  return {
    id: 'pytorch-linear-default(U(±1/√fan_in))',
    fill: (random, out, { fanIn }) => {
      const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
      for (let i = 0; i < out.length; i++) out[i] = -bound + 2 * bound * random.uniform();
    },
  };
}

/**
 * Truncated normal with standard deviation `scale`/√fan_in before truncation, redrawn outside ±2 standard
 * deviations (TensorFlow's `truncated_normal`, used by the information-plane code of Shwartz-Ziv & Tishby 2017
 * with scale 1). Note PyTorch's `trunc_normal_` cuts at ±2 in absolute units instead.
 */
export function truncatedNormalFanIn(scale = 1): Initialiser {
  positive('truncatedNormalFanIn: scale', scale);
  return {
    id: `truncated-normal(sd=${scale}/√fan_in, ±2sd)`,
    fill: (random, out, { fanIn }) => {
      const sd = scale / Math.sqrt(fanIn);
      for (let i = 0; i < out.length; i++) {
        let z = random.normal();
        while (Math.abs(z) > 2) z = random.normal();
        out[i] = z * sd;
      }
    },
  };
}

/** Every value `c` (zeros by default). */
export function constant(c = 0): Initialiser {
  return { id: `constant(${c})`, fill: (_random, out) => void out.fill(c) };
}

/** Given values (copied); the length must match. For tests and for loading weights made elsewhere. */
export function given(values: ArrayLike<number>): Initialiser {
  return {
    id: 'given',
    fill: (_random, out) => {
      if (values.length !== out.length)
        throw new ArgumentError('given initialiser', `${out.length} values`, `${values.length} values`);
      for (let i = 0; i < out.length; i++) out[i] = values[i]!;
    },
  };
}
