import { RandomStream } from '@entroscope/core';
import {
  BackendUnavailableError,
  checkBackends,
  kernelRegistry,
  kernelsFor,
  resolveKernelBackend,
} from './resolve-backend';
import { KernelRegistry } from './registry';
import { matmulCpu } from './cpu/matmul-cpu';
import { kernelNames } from './kernel-names';

describe('kernel registry', () => {
  it('holds every kernel for cpu and for every gpu.js mode', () => {
    for (const id of ['cpu', 'gpujs:cpu', 'gpujs:webasm', 'gpujs:headlessgl', 'gpujs:webgpu'] as const)
      expect(kernelRegistry.kernelsOf(id)).toEqual([...kernelNames]);
  });

  it('rejects a duplicate (kernel, backend) pair and names the implementing backends of a missing one', () => {
    const registry = new KernelRegistry();
    registry.register('matmul', 'cpu', matmulCpu);
    expect(() => registry.register('matmul', 'cpu', matmulCpu)).toThrow(/matmul@cpu/);
    expect(() => registry.get('matmul', 'gpujs:webasm')).toThrow(/a backend implementing it \(cpu\)/);
  });
});

describe('backend resolution', () => {
  it('cpu is always available; an unavailable backend fails with the list of available ones and the reasons', async () => {
    const availability = await checkBackends();
    expect(availability.find((a) => a.id === 'cpu')).toEqual({ id: 'cpu', available: true, reason: null });
    const missing = availability.find((a) => !a.available);
    if (missing) {
      const error = await resolveKernelBackend(missing.id).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BackendUnavailableError);
      expect((error as Error).message).toContain(`backend '${missing.id}' cannot run on this machine. Available: cpu`);
      expect((error as Error).message).toContain(missing.reason!);
    }
    await expect(resolveKernelBackend('gpujs:opencl')).rejects.toThrow(
      /unknown: expected auto or one of cpu, gpujs:cpu/,
    );
  });

  it('an explicit cpu request records why, the families and the versions', async () => {
    const { backend, record } = await resolveKernelBackend('cpu');
    expect(backend.id).toBe('cpu');
    expect(record).toMatchObject({
      requested: 'cpu',
      id: 'cpu',
      why: 'requested explicitly',
      families: { dense: 'cpu', ising: 'cpu' },
    });
    expect(record.versions['gpu.js']).toBe('2.24.1');
  });

  it('auto measures every family on every available backend and records the timings behind its choice', async () => {
    const { backend, record } = await resolveKernelBackend('auto', { candidates: ['gpujs:cpu'] });
    expect(Object.keys(record.timings!)).toEqual([
      'dense',
      'elementwise',
      'reduction',
      'histogram',
      'distance',
      'ising',
      'random',
    ]);
    for (const row of Object.values(record.timings!)) expect(Object.keys(row).sort()).toEqual(['cpu', 'gpujs:cpu']);
    expect(record.why.length).toBeGreaterThan(20);
    expect(kernelsFor(backend)).toBe(backend);
    expect(kernelsFor({ id: backend.id })).toBe(backend);
  }, 30000);

  it('kernelsFor a bare cpu handle runs the twins; an unknown id is an error', async () => {
    const k = kernelsFor({ id: 'cpu' });
    const a = RandomStream.fromSeed(1).fillNormal(new Float32Array(12));
    expect(await k.matmul(a, a, 3, 4, 3, { transposeB: true })).toEqual(matmulCpu(a, a, 3, 4, 3, { transposeB: true }));
    expect(await k.fillUniform(RandomStream.fromSeed(2), new Float64Array(3))).toEqual(
      RandomStream.fromSeed(2).fillUniform(new Float64Array(3)),
    );
    expect(() => kernelsFor({ id: 'quantum' })).toThrow(/backend 'quantum' was not resolved/);
  });
});
