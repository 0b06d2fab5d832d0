import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RandomStream } from '@entroscope/core';
import { samplesDescriptor } from '@entroscope/system-samples';
import { collect, measure, testContext } from '@entroscope/testing';
import { entropyDescriptor } from './entropy-probe';
import { mutualInformationDescriptor } from './mutual-information-probe';

/** A float64 .npy image as numpy.save writes it (format 1.0, header padded to 64 bytes). */
function npy(shape: number[], values: Float64Array): Buffer {
  let header = `{'descr': '<f8', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  header += ' '.repeat((64 - ((11 + header.length) % 64)) % 64) + '\n';
  const head = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length & 0xff, header.length >> 8]);
  return Buffer.concat([head, Buffer.from(header, 'latin1'), Buffer.from(values.buffer)]);
}

describe('probes on exported arrays (samples system)', () => {
  // "Activations" exported from elsewhere: layer ℓ = X + σ_ℓ·noise with X ~ N(0, 1), so I(T_ℓ; X) = ½ ln(1 + 1/σ_ℓ²)
  // and H(T_ℓ) = ½ ln(2πe(1 + σ_ℓ²)) exactly.
  const n = 4000;
  const sigmas = [0.5, 1, 2];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'entroscope-exported-'));
  const g = RandomStream.fromSeed(41);
  const x = g.fillNormal(new Float64Array(n));
  fs.writeFileSync(path.join(dir, 'input.npy'), npy([n, 1], x));
  sigmas.forEach((s, l) =>
    fs.writeFileSync(
      path.join(dir, `layer${l}.npy`),
      npy(
        [n, 1],
        Float64Array.from(x, (v) => v + s * g.normal()),
      ),
    ),
  );
  const params = {
    sites: sigmas.map((_, l) => ({ array: path.join(dir, `layer${l}.npy`) })),
    variables: { input: path.join(dir, 'input.npy') },
  };

  it('I(T_ℓ; X) by the Gaussian and KSG estimators within 4 resampling SE (+ the KSG bias allowance) of ½ ln(1 + 1/σ²)', async () => {
    const observations = await collect(samplesDescriptor, params, testContext());
    const gaussian = await measure(
      mutualInformationDescriptor,
      { y: { variable: 'input' }, estimator: { use: 'gaussian', bootstrap: 100 } },
      observations,
    );
    const ksg = await measure(
      mutualInformationDescriptor,
      { y: { variable: 'input' }, estimator: { use: 'ksg', k: 4, bootstrap: 20 } },
      observations,
    );
    sigmas.forEach((s, l) => {
      const exact = 0.5 * Math.log(1 + 1 / (s * s));
      expect(Math.abs(gaussian[l]!.value - exact)).toBeLessThan(4 * gaussian[l]!.uncertainty!);
      // KSG at N = 4000: bias ≲ 0.01 nats at these dependences (see the estimators' conformance suite).
      expect(Math.abs(ksg[l]!.value - exact)).toBeLessThan(4 * ksg[l]!.uncertainty! + 0.01);
    });
  });

  it('entropy by continuous estimators: Gaussian and Kozachenko–Leonenko within 4 SE (+0.01) of ½ ln(2πe(1 + σ²))', async () => {
    const observations = await collect(samplesDescriptor, params, testContext());
    for (const use of ['gaussian', 'kozachenko-leonenko']) {
      const ms = await measure(entropyDescriptor, { estimator: { use, bootstrap: 40 } }, observations);
      sigmas.forEach((s, l) => {
        const exact = 0.5 * Math.log(2 * Math.PI * Math.E * (1 + s * s));
        expect(ms[l]!.estimator).toBe(use);
        expect(ms[l]!.unit).toBe('nat');
        expect(Math.abs(ms[l]!.value - exact)).toBeLessThan(4 * ms[l]!.uncertainty! + 0.01);
      });
    }
  });
});
