import { ContainerModule } from 'inversify';
import { SystemDescriptor } from '@entroscope/core';
import { samplesDescriptor } from './samples-system';

/** Contributes the `samples` system (the user's own arrays). */
export const samplesModule = new ContainerModule(({ bind }) => {
  bind(SystemDescriptor).toConstantValue(samplesDescriptor);
});
