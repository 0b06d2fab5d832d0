import { collect, measure, testContext } from '@entroscope/testing';
import { reconstructionEntropyDescriptor } from './reconstruction-entropy-probe';
import { cascadeDescriptor } from '@entroscope/system-cascade';

// Fast version of the cascade paper's claims (small grid; the full reduced grid with the trained ground truth is in
// cascade-science.long.spec.ts). 7×7-pooled MNIST, depth 60, one epoch over 12 000 images: deep in the ordered
// phase (σ_w² = 1.0, 6ξ_c = 21.8) the reconstructions saturate early, at σ_w²_c they carry information much
// deeper, and in the chaotic phase (σ_w² = 3.0) the cutoff stays finite (below the curve length 58; not the
// all-saturated quirk). Measured with the NumPy twin of this arithmetic at the same sizes: 9, 18, 31.
const base = {
  sigmaB2: 0.05,
  depth: 60,
  widths: 'wide',
  pool: 4,
  data: { source: 'mnist' },
  training: { images: 12000 },
  evaluation: { images: 100 },
} as const;

async function cutoff(sigmaW2: number) {
  const obs = await collect(cascadeDescriptor, { ...base, sigmaW2 }, testContext(2406));
  const [m] = await measure(
    reconstructionEntropyDescriptor,
    { output: 'cutoff' },
    obs.filter((o) => o.site.axis === 'layer'),
  );
  return m!;
}

describe('cascade prediction on MNIST (small grid)', () => {
  it('saturates early in the ordered phase, late at σ_w²_c and at a finite depth in the chaotic phase', async () => {
    const ordered = await cutoff(1.0);
    const critical = await cutoff(1.76);
    const chaotic = await cutoff(3.0);
    expect(ordered.value).toBeLessThanOrEqual(22); // ≤ 6ξ_c(1.0) = 21.8
    expect(critical.value).toBeGreaterThan(ordered.value);
    expect(chaotic.meta['allSaturated']).toBe(false);
    expect(chaotic.value).toBeLessThan(58);
  }, 600_000);
});
