import { METRICS_KIND } from '@entroscope/core';
import { collect, testContext } from '@entroscope/testing';
import { teacherStudentDescriptor } from './teacher-student-system';

/**
 * Trains a ReLU student 40-1 of USV layers (41 trained parameters) on 1600 examples of a probit teacher y = sign(w·x),
 * x ~ N(0, I₄₀), 20 epochs of Adam (lr 0.01, batch 50), and checks that the generalisation error (test-error on 1600
 * fresh labels) after 20 epochs is ≤ 0.36 and at least 0.08 below its value at epoch 0.
 * Measured over seeds 1–8: 0.45–0.59 at epoch 0, 0.25–0.32 after 20 epochs, drop 0.13–0.29 (binomial SE ≈ 0.012
 * per value; the spread between seeds, i.e. between teachers and students, is larger and sets the margins).
 */
export async function expectGeneralisationFalls(seed: number): Promise<void> {
  const obs = await collect(
    teacherStudentDescriptor,
    {
      inputDimension: 40,
      teacher: { widths: [1], output: 'probit' },
      student: { widths: [40, 1], channel: 'relu', outputChannel: 'linear', noiseVariance: 1e-3 },
      evaluation: { count: 10 },
      training: {
        trainSize: 1600,
        testSize: 1600,
        epochs: 20,
        batchSize: 50,
        optimiser: { use: 'adam', lr: 0.01 },
        observeAt: { axis: 'epoch', at: [0] },
      },
    },
    testContext(seed),
  );
  const errors = obs
    .filter((o) => o.kind === METRICS_KIND)
    .map((o) => o.metrics!.find((m) => m.name === 'test-error')!.value);
  expect(errors).toHaveLength(21);
  expect(errors[20]!).toBeLessThan(0.36);
  expect(errors[20]!).toBeLessThan(errors[0]! - 0.08);
}
