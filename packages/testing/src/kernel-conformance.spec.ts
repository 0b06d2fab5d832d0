import { describeKernelConformance, kernelBackendSkips } from './kernel-conformance';

// Every backend id; unavailable ones (headlessgl, webgpu on a machine without them) are registered as
// skipped tests whose names carry the reason, so `jest` reports e.g. "18 skipped".
describeKernelConformance();

describe('kernel conformance bookkeeping', () => {
  it('runs cpu and the gpu.js cpu/webasm modes everywhere (required in CI)', () => {
    const skips = kernelBackendSkips();
    for (const id of ['cpu', 'gpujs:cpu', 'gpujs:webasm'] as const)
      expect(skips.find((s) => s.id === id)!.reason).toBeNull();
  });
});
