import { ContainerModule } from 'inversify';
import { SystemDescriptor } from '@entroscope/core';
import { diffusionDescriptor } from './diffusion-system';
import { neuralEntropyDescriptor } from './neural-entropy-system';

/** Contributes the diffusion systems (forward diffusion; trained score network and neural entropy) to the runner's registries. */
export const diffusionModule = new ContainerModule(({ bind }) => {
  bind(SystemDescriptor).toConstantValue(diffusionDescriptor);
  bind(SystemDescriptor).toConstantValue(neuralEntropyDescriptor);
});
