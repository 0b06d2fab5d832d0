import { ContainerModule } from 'inversify';
import { ProbeDescriptor } from '@entroscope/core';
import { entropyDescriptor } from './entropy-probe';
import { gramEntropyDescriptor } from './gram-entropy';
import { mutualInformationDescriptor } from './mutual-information-probe';
import { twoInputMutualInformationDescriptor } from './two-input-mutual-information';

/** Contributes the entropy / mutual-information probe family. */
export const informationModule = new ContainerModule(({ bind }) => {
  bind(ProbeDescriptor).toConstantValue(entropyDescriptor);
  bind(ProbeDescriptor).toConstantValue(twoInputMutualInformationDescriptor);
  bind(ProbeDescriptor).toConstantValue(gramEntropyDescriptor);
  bind(ProbeDescriptor).toConstantValue(mutualInformationDescriptor);
});
