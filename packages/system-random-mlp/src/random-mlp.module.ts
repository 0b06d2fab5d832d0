import { ContainerModule } from 'inversify';
import { SystemDescriptor } from '@entroscope/core';
import { randomMlpDescriptor } from './random-mlp-system';

/** Contributes the random-MLP system to the runner's registries. */
export const randomMlpModule = new ContainerModule(({ bind }) => {
  bind(SystemDescriptor).toConstantValue(randomMlpDescriptor);
});
