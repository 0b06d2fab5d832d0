import { ContainerModule } from 'inversify';
import { ProbeDescriptor } from '@entroscope/core';
import { entropyDescriptor } from './entropy-probe';

/** Contributes the entropy / mutual-information probe family. */
export const informationModule = new ContainerModule(({ bind }) => {
  bind(ProbeDescriptor).toConstantValue(entropyDescriptor);
});
