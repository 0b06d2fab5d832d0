import { EMPTY } from 'rxjs';
import { z } from 'zod';
import { DuplicateIdError, RequirementError, StudySyntaxError, StudyValidationError, UnknownIdError } from './errors';
import type { ProbeDescriptor } from './probe';
import { DescriptorRegistry } from './registry';
import { expandTasks, parseStudyText, resolveStudy, type Registries } from './study';
import type { SystemDescriptor } from './system';

const chain: SystemDescriptor<{ K: number; samples?: number }> = {
  id: 'chain',
  version: '1.0.0',
  summary: 'test chain',
  paramsSchema: z.object({ K: z.number().min(0).describe('coupling'), samples: z.number().int().min(1).optional() }).strict(),
  provides: (p) => ({ axes: ['rg-step'], kinds: p.samples ? ['spins'] : [], exact: ['exponential-family'] }),
  create: () => ({ observe: () => EMPTY }),
};
const counter: ProbeDescriptor<{ estimator: { use: 'exact' } | { use: 'plug-in'; k: number } }> = {
  id: 'counter',
  version: '1.0.0',
  summary: 'test probe',
  paramsSchema: z
    .object({
      estimator: z
        .discriminatedUnion('use', [z.object({ use: z.literal('exact') }).strict(), z.object({ use: z.literal('plug-in'), k: z.number().int().min(1).default(4) }).strict()])
        .default({ use: 'exact' }),
    })
    .strict(),
  requires: (p) => (p.estimator.use === 'exact' ? { exact: ['exponential-family'] } : { kinds: ['spins'] }),
  create: () => ({ id: 'counter', estimator: 'exact', apply: () => EMPTY }),
};
const registries: Registries = {
  systems: new DescriptorRegistry<SystemDescriptor>('system', [chain]),
  probes: new DescriptorRegistry<ProbeDescriptor>('probe', [counter]),
};

const resolve = (text: string) => resolveStudy(parseStudyText(text, 'study.yaml'), registries);
const errorOf = (text: string): Error => {
  try {
    resolve(text);
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the study to be rejected');
};

const valid = `name: demo
seed: 3
systems:
  - name: a
    use: chain
    params: { K: 0.5 }
probes:
  - use: counter
`;

describe('study files', () => {
  it('accepts a valid study, applying defaults', () => {
    const study = resolve(valid);
    expect(study.seed).toBe(3);
    expect(study.backend).toBe('auto');
    expect(study.probes[0]!.name).toBe('counter');
    expect(study.probes[0]!.systems).toEqual(['a']);
  });

  it('reports malformed YAML with line and column', () => {
    const error = errorOf('name: demo\nsystems:\n  - use: chain\n    params: { K: 0.5\n');
    expect(error).toBeInstanceOf(StudySyntaxError);
    expect(error.message).toMatch(/^study\.yaml:\d+:\d+: malformed study file/);
  });

  it('lists the known ids for an unknown system, with file and position', () => {
    const error = errorOf(valid.replace('use: chain', 'use: chian'));
    expect(error).toBeInstanceOf(UnknownIdError);
    expect(error.message).toBe("study.yaml:5:10 systems[0].use: unknown system 'chian'. Known systems: chain");
  });

  it('names file, path, line, expected and given for a parameter of the wrong type', () => {
    const error = errorOf(valid.replace('K: 0.5', 'K: "hot"'));
    expect(error).toBeInstanceOf(StudyValidationError);
    expect(error.message).toContain('study.yaml:6:18 systems[0].params.K (system chain): expected number, got "hot"');
  });

  it('reports out-of-range values and unknown keys (listing the known ones)', () => {
    const error = errorOf(valid.replace('K: 0.5', 'K: -1, temperature: 3')) as StudyValidationError;
    const text = error.message;
    expect(text).toContain('systems[0].params (system chain): expected only known keys (K, samples), got unknown key \'temperature\'');
    expect(error.issues).toHaveLength(2); // every problem is reported, not only the first
    const range = errorOf(valid.replace('K: 0.5', 'K: -1'));
    expect(range.message).toContain('systems[0].params.K (system chain): expected number to be >=0, got -1');
  });

  it('validates nested estimator parameters with their full path', () => {
    const error = errorOf(valid.replace('  - use: counter', '  - use: counter\n    params: { estimator: { use: plug-in, k: 0 } }'));
    expect(error.message).toContain('probes[0].params.estimator.k (probe counter): expected number to be >=1, got 0');
  });

  it('validates every swept value and points at it', () => {
    const error = errorOf(`${valid}sweep:\n  systems.a.params.K: [0.5, -2, 1]\n`);
    expect(error.message).toContain('sweep["systems.a.params.K"][1]');
    expect(error.message).toContain('expected number to be >=0, got -2');
    const badPath = errorOf(`${valid}sweep:\n  systems.b.params.K: [1]\n`);
    expect(badPath.message).toMatch(/sweep\.systems\.b\.params\.K.*expected an existing system \(a\), got 'b'/);
  });

  it('refuses a probe whose requirements the system cannot meet', () => {
    const error = errorOf(valid.replace('  - use: counter', '  - use: counter\n    params: { estimator: { use: plug-in } }'));
    expect(error).toBeInstanceOf(RequirementError);
    expect(error.message).toContain("probe 'counter' cannot run on system 'a (chain)': needs data kind 'spins', system provides none");
  });

  it('rejects unknown top-level keys and duplicate instance names', () => {
    expect(errorOf(`${valid}colour: blue\n`).message).toMatch(/unknown key 'colour'/);
    const duplicate = errorOf(valid.replace('probes:', '  - name: a\n    use: chain\n    params: { K: 1 }\nprobes:'));
    expect(duplicate.message).toMatch(/systems\[1\]\.name.*unique system name/);
  });
});

describe('task expansion', () => {
  it('expands the sweep grid, runs each system configuration once and attaches every probe variant', () => {
    const study = resolve(`${valid.replace('  - use: counter', '  - name: p\n    use: counter')}sweep:\n  systems.a.params.K: [0.5, 1, 2]\n  probes.p.params.estimator.use: [exact, exact]\nreplicates: 2\n`);
    const tasks = expandTasks(study, registries);
    expect(tasks).toHaveLength(6);
    expect(tasks.map((t) => t.system.params['K'])).toEqual([0.5, 0.5, 1, 1, 2, 2]);
    expect(tasks.map((t) => t.replicate)).toEqual([0, 1, 0, 1, 0, 1]);
    expect(tasks[0]!.probes).toHaveLength(1);
    expect(new Set(tasks.map((t) => t.key)).size).toBe(6);
  });
});

describe('descriptor registry', () => {
  it('fails on duplicate ids and lists known ids for unknown ones', () => {
    expect(() => new DescriptorRegistry('system', [chain, chain])).toThrow(DuplicateIdError);
    expect(() => registries.systems.get('nope')).toThrow("unknown system 'nope'. Known systems: chain");
    expect(new DescriptorRegistry('probe', []).list()).toEqual([]);
  });
});
