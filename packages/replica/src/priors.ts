import type { SeparablePrior } from '@entroscope/core';
import { gaussHermite } from './quadrature';
import { logAddExp, normalCdf } from './normal';

/**
 * The scalar denoising problem behind a separable prior: x ~ P₀, observed as y = √a·x + ξ, ξ ~ N(0, 1).
 * `potential(a)` = E ln Z(y) with Z(y) = ∫ dP₀(x) exp(√a·x·y − a·x²/2), which equals ½aρ − I(x; y); `mmse(a)` =
 * E Var(x | y). Both enter the replica potential only through this pair (and ρ = E x²), so a prior with quenched
 * per-component side information (the conditional laws of a noisy layer given its pre-activation) is the average of
 * its components' pairs.
 */
export interface ScalarPrior {
  /** ρ = E x². */
  readonly secondMoment: number;
  /** E Var(x) under the prior alone (the largest posterior variance; an initialisation of V). */
  readonly priorVariance: number;
  evaluate(a: number): { potential: number; mmse: number };
}

const HERMITE_NODES = 100;

/** N(mean, variance); with `knownMean` the mean is side information (posterior variance ≤ variance). */
export function normalPrior(mean: number, variance: number, secondMoment = mean * mean + variance): ScalarPrior {
  return {
    secondMoment,
    priorVariance: variance,
    evaluate(a) {
      return {
        potential: 0.5 * a * secondMoment - 0.5 * Math.log1p(a * variance),
        mmse: variance / (1 + a * variance),
      };
    },
  };
}

/** x = ±1 with P(+1) = pPlus. */
export function binaryTerms(pPlus: number, a: number): { potential: number; mmse: number } {
  if (pPlus <= 0 || pPlus >= 1 || a === 0) {
    const m = 2 * pPlus - 1;
    return { potential: 0.5 * a, mmse: 1 - m * m };
  }
  const { nodes, weights } = gaussHermite(HERMITE_NODES);
  const s = Math.sqrt(a);
  const lp = Math.log(pPlus);
  const lm = Math.log(1 - pPlus);
  let lnZ = 0;
  let m2 = 0;
  for (const [x, px] of [
    [1, pPlus],
    [-1, 1 - pPlus],
  ] as const) {
    let lz = 0;
    let mm = 0;
    for (let i = 0; i < nodes.length; i++) {
      const y = s * x + nodes[i]!;
      const b = s * y;
      const up = lp + b;
      const down = lm - b;
      lz += weights[i]! * (logAddExp(up, down) - 0.5 * a);
      const mean = Math.tanh(0.5 * (up - down));
      mm += weights[i]! * mean * mean;
    }
    lnZ += px * lz;
    m2 += px * mm;
  }
  return { potential: lnZ, mmse: 1 - m2 };
}

export function bimodalPrior(pPlus: number): ScalarPrior {
  const m = 2 * pPlus - 1;
  return { secondMoment: 1, priorVariance: 1 - m * m, evaluate: (a) => binaryTerms(pPlus, a) };
}

export function spikeAndSlabPrior(density: number, mean: number, variance: number): ScalarPrior {
  const secondMoment = density * (mean * mean + variance);
  const priorVariance = secondMoment - density * density * mean * mean;
  return {
    secondMoment,
    priorVariance,
    evaluate(a) {
      if (a === 0) return { potential: 0, mmse: priorVariance };
      if (density >= 1) return normalPrior(mean, variance).evaluate(a);
      const { nodes, weights } = gaussHermite(HERMITE_NODES);
      const s = Math.sqrt(a);
      const precision = 1 / variance + a;
      const lSpike = Math.log(1 - density);
      const lSlabConst = Math.log(density) - 0.5 * Math.log1p(a * variance) - (0.5 * mean * mean) / variance;
      const component = (y: number): [number, number] => {
        const lin = mean / variance + s * y;
        const lSlab = lSlabConst + (0.5 * lin * lin) / precision;
        const lz = logAddExp(lSpike, lSlab);
        const w = Math.exp(lSlab - lz);
        const m = (w * lin) / precision;
        return [lz, m * m];
      };
      let potential = 0;
      let m2 = 0;
      const slabScale = Math.sqrt(1 + a * variance);
      for (let i = 0; i < nodes.length; i++) {
        const [l0, q0] = component(nodes[i]!);
        const [l1, q1] = component(s * mean + slabScale * nodes[i]!);
        potential += weights[i]! * ((1 - density) * l0 + density * l1);
        m2 += weights[i]! * ((1 - density) * q0 + density * q1);
      }
      return { potential, mmse: secondMoment - m2 };
    },
  };
}

/**
 * The law of a probit unit h = sign(z + √Δ ξ) given its pre-activation z, with z ~ N(0, ρ̃) quenched (known):
 * a ±1 prior with P(+1) = Φ(z/√Δ), averaged over z.
 */
export function quenchedProbitPrior(noiseVariance: number, preActivationVariance: number): ScalarPrior {
  const { nodes, weights } = gaussHermite(HERMITE_NODES);
  const scale = Math.sqrt(preActivationVariance / noiseVariance);
  let priorVariance = 0;
  for (let i = 0; i < nodes.length; i++) {
    const p = normalCdf(scale * nodes[i]!);
    priorVariance += weights[i]! * 4 * p * (1 - p);
  }
  return {
    secondMoment: 1,
    priorVariance,
    evaluate(a) {
      let potential = 0;
      let mmse = 0;
      for (let i = 0; i < nodes.length; i++) {
        const t = binaryTerms(normalCdf(scale * nodes[i]!), a);
        potential += weights[i]! * t.potential;
        mmse += weights[i]! * t.mmse;
      }
      return { potential, mmse };
    },
  };
}

/** The input prior of a network, from the core contract. */
export function separablePrior(prior: SeparablePrior): ScalarPrior {
  switch (prior.kind) {
    case 'normal':
      return normalPrior(prior.mean, prior.variance);
    case 'bimodal':
      return bimodalPrior(prior.pPlus);
    case 'spike-and-slab':
      return spikeAndSlabPrior(prior.density, prior.mean, prior.variance);
  }
}
