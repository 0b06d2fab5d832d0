import { ContainerModule } from 'inversify';
import { ProbeDescriptor } from '@entroscope/core';
import { relativeEntropyDescriptor } from './relative-entropy-probe';

/** Contributes the relative-entropy probe family. */
export const divergenceModule = new ContainerModule(({ bind }) => {
  bind(ProbeDescriptor).toConstantValue(relativeEntropyDescriptor);
});
