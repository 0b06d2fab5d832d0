import { freeEnergy2d, nearestNeighbourCorrelation2d } from './ising-2d-exact';
import {
  checkerboardDecimation,
  checkerboardLocalIdentity,
  couplingFlow,
  couplingFlows,
  flowPhase,
  flowTrajectory,
  kadanoffFlow,
  linearisedEigenvalues,
  migdalKadanoffFlow,
  thermalExponent,
  twoCouplingFlow,
} from './ising-2d-flows';

// docs/science/rg-ising.md §2.2–2.4. Tolerances: class Q (1e-9 relative) or ±1 in the last quoted digit.
const digits = (quoted: string) => {
  const [mantissa, exponent] = quoted.split('e');
  const decimals = mantissa!.includes('.') ? mantissa!.split('.')[1]!.length : 0;
  return 10 ** (-decimals + Number(exponent ?? 0));
};
const close = (actual: number, quoted: string) =>
  expect(Math.abs(actual - Number(quoted))).toBeLessThanOrEqual(
    Math.max(1e-9 * Math.abs(Number(quoted)), digits(quoted)),
  );

describe('exact checkerboard decimation (§2.2)', () => {
  it('reproduces 2 cosh(K S) for every neighbour pattern (S = 4, 2, 0 both ways, …): class E', () => {
    for (const K of [0.1, 0.4406868, 1.3]) {
      for (let pattern = 0; pattern < 16; pattern++) {
        const s = [0, 1, 2, 3].map((i) => ((pattern >> i) & 1 ? 1 : -1)) as [number, number, number, number];
        const { exact, expanded } = checkerboardLocalIdentity(K, s);
        expect(Math.abs(exact - expanded)).toBeLessThan(1e-14);
      }
    }
  });

  it('has K2 = K1/2 and a negative plaquette coupling', () => {
    const c = checkerboardDecimation(0.4);
    expect(c.K2).toBeCloseTo(c.K1 / 2, 15);
    expect(c.K4).toBeLessThan(0);
    expect(Math.abs(c.K1 - 0.25 * Math.log(Math.cosh(1.6)))).toBeLessThan(1e-15);
  });
});

describe('truncated coupling flows (§2.3)', () => {
  it.each([
    [kadanoffFlow, '0.506981019077567', '1.448922354968', '0.934613879'],
    [migdalKadanoffFlow, '0.304688931718003', '1.678573510428', '1.338265790'],
  ] as const)('%#: one-coupling fixed point, thermal eigenvalue and ν', (flow, Kstar, lambda, nu) => {
    const [fixed] = flow.fixedPoint();
    close(fixed!, Kstar);
    expect(Math.abs(flow.step([fixed!])[0]! - fixed!)).toBeLessThan(1e-15);
    const exponent = thermalExponent(flow);
    close(exponent.lambda, lambda);
    close(exponent.nu, nu);
  });

  it('two-coupling map: fixed point (1/3, 1/9), eigenvalues (2 ± √10)/3, ν = 0.638532711', () => {
    const [K, L] = twoCouplingFlow.step(twoCouplingFlow.fixedPoint());
    expect(Math.abs(K! - 1 / 3)).toBeLessThan(1e-16);
    expect(Math.abs(L! - 1 / 9)).toBeLessThan(1e-16);
    const [l1, l2] = linearisedEigenvalues(twoCouplingFlow);
    close(l1!, '1.72075922');
    close(l2!, '-0.38742589');
    close(thermalExponent(twoCouplingFlow).nu, '0.638532711');
  });

  it.each([
    [0.3, ['0.222633', '0.132402', '0.0503018', '0.00754013', '0.000170535']],
    [0.4, ['0.355052', '0.293933', '0.215081', '0.124425', '0.0446454']],
    [0.45, ['0.425179', '0.390131', '0.341454', '0.275906', '0.193065']],
    [0.55, ['0.569646', '0.598452', '0.640860', '0.703579', '0.796783']],
  ])('Kadanoff flow from K = %s matches the table', (K, expected) => {
    const flow = flowTrajectory(kadanoffFlow, K, 5);
    expected.forEach((quoted, n) => close(flow[n + 1]![0]!, quoted));
  });

  it('classifies bare couplings by the side of the flow’s fixed point, not by K_c', () => {
    expect(flowPhase(kadanoffFlow, 0.45)).toBe('disordered'); // 0.45 > K_c but < K* = 0.507
    expect(flowPhase(kadanoffFlow, 0.55)).toBe('ordered');
    expect(flowPhase(migdalKadanoffFlow, 0.35)).toBe('ordered'); // K* = 0.305 < K_c
    expect(flowPhase(twoCouplingFlow, 0.3)).toBe('disordered');
    expect(flowPhase(twoCouplingFlow, 0.45)).toBe('ordered');
  });

  it('looks strategies up by id and lists the known ids when one is unknown', () => {
    expect(couplingFlow('migdal-kadanoff')).toBe(migdalKadanoffFlow);
    expect(Object.keys(couplingFlows)).toEqual(['kadanoff', 'migdal-kadanoff', 'two-coupling']);
    expect(() => couplingFlow('wilson')).toThrow(/kadanoff, migdal-kadanoff, two-coupling/);
  });
});

describe('exact 2D relative entropy along the Kadanoff flow (§2.4)', () => {
  const dA = (K: number, Kn: number) =>
    freeEnergy2d(Kn) - freeEnergy2d(K) + 2 * (K - Kn) * nearestNeighbourCorrelation2d(K);
  const dC = (K: number, Kn: number) =>
    freeEnergy2d(K) - freeEnergy2d(Kn) + 2 * (Kn - K) * nearestNeighbourCorrelation2d(Kn);
  it.each([
    [0.3, dA, ['0.0088039299', '0.0384512081', '0.0810358970', '0.1086826714', '0.1138177183'], '0.1139378309'],
    [0.4, dA, ['0.004865872096', '0.02429766883', '0.0664407279', '0.1342748859', '0.2088302303'], '0.2562150413'],
    [0.3, dC, ['0.008192258562', '0.03391348699', '0.06964946897', '0.09294424437', '0.09730959853'], '0.09741189039'],
    [0.4, dC, ['0.004408482539', '0.02032278397', '0.05199129519', '0.1001492082', '0.1523845442'], '0.1862166402'],
  ])('K = %s, %p: d(1…5) and asymptote', (K, d, expected, asymptote) => {
    const flow = flowTrajectory(kadanoffFlow, K, 5);
    expected.forEach((quoted, n) => close(d(K, flow[n + 1]![0]!), quoted));
    close(d(K, 0), asymptote);
  });
});
