import { ContainerModule } from 'inversify';
import { SystemDescriptor } from '@entroscope/core';
import { trainedMlpDescriptor } from './trained-mlp-system';

/** Contributes the trained-MLP system to the runner's registries. */
export const trainedMlpModule = new ContainerModule(({ bind }) => {
  bind(SystemDescriptor).toConstantValue(trainedMlpDescriptor);
});
