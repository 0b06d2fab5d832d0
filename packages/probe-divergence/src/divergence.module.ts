import { ContainerModule } from 'inversify';
import { ProbeDescriptor } from '@entroscope/core';
import { relativeEntropyDescriptor } from './relative-entropy-probe';
import { fisherInformationDescriptor } from './fisher-information-probe';
import { informationLossDescriptor } from './information-loss-probe';
import { mlpRelativeEntropyDescriptor } from './mlp-relative-entropy-probe';

/** Contributes the relative-entropy probe family. */
export const divergenceModule = new ContainerModule(({ bind }) => {
  bind(ProbeDescriptor).toConstantValue(relativeEntropyDescriptor);
  bind(ProbeDescriptor).toConstantValue(fisherInformationDescriptor);
  bind(ProbeDescriptor).toConstantValue(informationLossDescriptor);
  bind(ProbeDescriptor).toConstantValue(mlpRelativeEntropyDescriptor);
});
