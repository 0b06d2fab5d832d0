import { ContainerModule } from 'inversify';
import { ProbeDescriptor } from '@entroscope/core';
import { replicaEntropyDescriptor } from './replica-entropy-probe';

/** Contributes the replica-entropy probe to the runner's registries. */
export const replicaModule = new ContainerModule(({ bind }) => {
  bind(ProbeDescriptor).toConstantValue(replicaEntropyDescriptor);
});
