import { ArgumentError } from '@entroscope/core';

// Hoisted (a global `Math.x` lookup per call is ~16× slower inside jest's vm sandbox).
const { tanh, exp, sqrt, acos, asin, sin, cos, min, max, PI } = Math;
import { erf } from './erf';
import { bivariateGaussianExpectation, gaussianExpectation } from './gaussian-quadrature';

/** Activations with a mean-field description (the names match the kernels' `Activation`). */
export type MlpActivation = 'tanh' | 'relu' | 'erf';
export const mlpActivations: readonly MlpActivation[] = ['tanh', 'relu', 'erf'];

/**
 * The Gaussian moments of an activation φ that mean-field theory needs (u ~ N(0, q); (u₁, u₂) bivariate with
 * variances q₁, q₂ and covariance q₁₂):
 *   secondMoment(q)            = E[φ(u)²]
 *   crossMoment(q₁, q₂, q₁₂)   = E[φ(u₁)φ(u₂)]
 *   derivativeCrossMoment(…)   = E[φ'(u₁)φ'(u₂)]   (q₁ = q₂ = q₁₂ = q gives E[φ'(u)²])
 *   secondMomentSlope(q)       = d/dq E[φ(u)²] = E[φ'(u)²] + E[φ(u)φ''(u)]   (Gaussian integration by parts)
 * tanh: trapezoid quadrature (gaussian-quadrature.ts). ReLU and erf: closed forms (Cho & Saul 2009 arc-cosine
 * kernel; Williams 1997 for erf), which the tests also use to check the quadrature.
 */
export interface MeanFieldActivation {
  readonly name: MlpActivation;
  phi(x: number): number;
  derivative(x: number): number;
  secondDerivative(x: number): number;
  secondMoment(q: number): number;
  crossMoment(q1: number, q2: number, q12: number): number;
  derivativeCrossMoment(q1: number, q2: number, q12: number): number;
  secondMomentSlope(q: number): number;
}

const sech2 = (x: number) => {
  const t = tanh(x);
  return 1 - t * t;
};

/** Moments of any φ by quadrature (used for tanh, and by the tests for the other activations). */
export function quadratureMoments(
  phi: (x: number) => number,
  derivative: (x: number) => number,
  secondDerivative: (x: number) => number,
) {
  return {
    secondMoment: (q: number) => gaussianExpectation((u) => phi(u) * phi(u), q),
    crossMoment: (q1: number, q2: number, q12: number) => bivariateGaussianExpectation(phi, phi, q1, q2, q12),
    derivativeCrossMoment: (q1: number, q2: number, q12: number) =>
      q1 === q2 && q12 === q1
        ? gaussianExpectation((u) => derivative(u) ** 2, q1)
        : bivariateGaussianExpectation(derivative, derivative, q1, q2, q12),
    secondMomentSlope: (q: number) => gaussianExpectation((u) => derivative(u) ** 2 + phi(u) * secondDerivative(u), q),
  };
}

const tanhFunctions = {
  phi: tanh,
  derivative: sech2,
  secondDerivative: (x: number) => -2 * tanh(x) * sech2(x),
};

export const tanhMeanField: MeanFieldActivation = {
  name: 'tanh',
  ...tanhFunctions,
  ...quadratureMoments(tanhFunctions.phi, tanhFunctions.derivative, tanhFunctions.secondDerivative),
};

const relu = (x: number) => (x > 0 ? x : 0);
const angle = (q1: number, q2: number, q12: number) => acos(max(-1, min(1, q12 / sqrt(q1 * q2))));

export const reluMeanField: MeanFieldActivation = {
  name: 'relu',
  phi: relu,
  derivative: (x) => (x > 0 ? 1 : 0),
  secondDerivative: () => 0,
  secondMoment: (q) => q / 2,
  crossMoment: (q1, q2, q12) => {
    if (q1 === 0 || q2 === 0) return 0;
    const theta = angle(q1, q2, q12);
    return (sqrt(q1 * q2) / (2 * PI)) * (sin(theta) + (PI - theta) * cos(theta));
  },
  // At q₁ = q₂ = 0 the limit q → 0 of E[φ'(u)²] = 1/2 is returned (the value that fixes χ₁ = σ_w²/2).
  derivativeCrossMoment: (q1, q2, q12) =>
    q1 === 0 && q2 === 0 ? 0.5 : q1 === 0 || q2 === 0 ? 0.25 : (PI - angle(q1, q2, q12)) / (2 * PI),
  secondMomentSlope: () => 0.5,
};

const erfDerivative = (x: number) => 1.1283791670955126 * exp(-x * x);
export const erfMeanField: MeanFieldActivation = {
  name: 'erf',
  phi: erf,
  derivative: erfDerivative,
  secondDerivative: (x) => -2 * x * erfDerivative(x),
  secondMoment: (q) => (2 / PI) * asin((2 * q) / (1 + 2 * q)),
  crossMoment: (q1, q2, q12) => (2 / PI) * asin((2 * q12) / sqrt((1 + 2 * q1) * (1 + 2 * q2))),
  derivativeCrossMoment: (q1, q2, q12) => 4 / PI / sqrt((1 + 2 * q1) * (1 + 2 * q2) - 4 * q12 * q12),
  secondMomentSlope: (q) => 4 / (PI * (1 + 2 * q) * sqrt(1 + 4 * q)),
};

export function meanFieldActivation(name: MlpActivation): MeanFieldActivation {
  switch (name) {
    case 'tanh':
      return tanhMeanField;
    case 'relu':
      return reluMeanField;
    case 'erf':
      return erfMeanField;
    default:
      throw new ArgumentError('meanFieldActivation: name', `one of ${mlpActivations.join(', ')}`, name);
  }
}
