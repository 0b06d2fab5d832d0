import { ContainerModule } from 'inversify';
import { ProbeDescriptor } from '@entroscope/core';
import { trainingMetricsDescriptor } from './training-metrics-probe';

/** Contributes the training-metrics probe to the runner's registries. */
export const metricsModule = new ContainerModule(({ bind }) => {
  bind(ProbeDescriptor).toConstantValue(trainingMetricsDescriptor);
});
