import { ContainerModule } from 'inversify';
import { ProbeDescriptor } from '@entroscope/core';
import { reconstructionEntropyDescriptor } from './reconstruction-entropy-probe';

/** Contributes the reconstruction-entropy probe (cascade paper). */
export const reconstructionModule = new ContainerModule(({ bind }) => {
  bind(ProbeDescriptor).toConstantValue(reconstructionEntropyDescriptor);
});
