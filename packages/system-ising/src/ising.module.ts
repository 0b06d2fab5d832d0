import { ContainerModule } from 'inversify';
import { SystemDescriptor } from '@entroscope/core';
import { ising1dDescriptor } from './ising-1d-system';
import { ising2dDescriptor } from './ising-2d-system';

/** Contributes the Ising systems to the runner's registries. */
export const isingModule = new ContainerModule(({ bind }) => {
  bind(SystemDescriptor).toConstantValue(ising1dDescriptor);
  bind(SystemDescriptor).toConstantValue(ising2dDescriptor);
});
