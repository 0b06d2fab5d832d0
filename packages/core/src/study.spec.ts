import { EMPTY } from 'rxjs';
import { z } from 'zod';
import { DuplicateIdError, RequirementError, StudySyntaxError, StudyValidationError, UnknownIdError } from './errors';
import type { ProbeDescriptor } from './probe';
import { DescriptorRegistry } from './registry';
import {
  STUDY_LIMITS,
  applyStudyProfile,
  expandTasks,
  parseStudyText,
  resolveStudy,
  studyProfiles,
  type Registries,
} from './study';
import type { SystemDescriptor } from './system';

const chain: SystemDescriptor<{ K: number; samples?: number }> = {
  id: 'chain',
  version: '1.0.0',
  summary: 'test chain',
  paramsSchema: z
    .object({ K: z.number().min(0).describe('coupling'), samples: z.number().int().min(1).optional() })
    .strict(),
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
        .discriminatedUnion('use', [
          z.object({ use: z.literal('exact') }).strict(),
          z.object({ use: z.literal('plug-in'), k: z.number().int().min(1).default(4) }).strict(),
        ])
        .default({ use: 'exact' }),
    })
    .strict(),
  requires: (p) => (p.estimator.use === 'exact' ? { exact: ['exponential-family'] } : { kinds: ['spins'] }),
  create: () => ({ id: 'counter', estimator: 'exact', apply: () => EMPTY }),
};
/** A system with a cross-field rule (size divisible by 2^steps) and a memory estimate (one GiB per site). */
const ring: SystemDescriptor<{ size: number; steps: number }> = {
  id: 'ring',
  version: '1.0.0',
  summary: 'test ring',
  paramsSchema: z
    .object({ size: z.number().int().min(1).default(8), steps: z.number().int().min(0).default(1) })
    .strict()
    .refine((p) => p.size % 2 ** p.steps === 0, { message: 'expected size divisible by 2^steps', path: ['size'] }),
  provides: () => ({ axes: ['rg-step'], kinds: [], exact: ['exponential-family'] }),
  create: () => ({ observe: () => EMPTY }),
  estimate: (p) => ({ bytes: p.size * 2 ** 30, what: `${p.size} sites of a GiB` }),
};
const registries: Registries = {
  systems: new DescriptorRegistry<SystemDescriptor>('system', [chain, ring]),
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
    expect(error.message).toBe("study.yaml:5:10 systems[0].use: unknown system 'chian'. Known systems: chain, ring");
  });

  it('names file, path, line, expected and given for a parameter of the wrong type', () => {
    const error = errorOf(valid.replace('K: 0.5', 'K: "hot"'));
    expect(error).toBeInstanceOf(StudyValidationError);
    expect(error.message).toContain('study.yaml:6:18 systems[0].params.K (system chain): expected number, got "hot"');
  });

  it('reports out-of-range values and unknown keys (listing the known ones)', () => {
    const error = errorOf(valid.replace('K: 0.5', 'K: -1, temperature: 3')) as StudyValidationError;
    const text = error.message;
    expect(text).toContain(
      "systems[0].params (system chain): expected only known keys (K, samples), got unknown key 'temperature'",
    );
    expect(error.issues).toHaveLength(2); // every problem is reported, not only the first
    const range = errorOf(valid.replace('K: 0.5', 'K: -1'));
    expect(range.message).toContain('systems[0].params.K (system chain): expected number to be >=0, got -1');
  });

  it('validates nested estimator parameters with their full path', () => {
    const error = errorOf(
      valid.replace('  - use: counter', '  - use: counter\n    params: { estimator: { use: plug-in, k: 0 } }'),
    );
    expect(error.message).toContain('probes[0].params.estimator.k (probe counter): expected number to be >=1, got 0');
  });

  it('validates every swept value and points at it', () => {
    const error = errorOf(`${valid}sweep:\n  systems.a.params.K: [0.5, -2, 1]\n`);
    expect(error.message).toContain('sweep["systems.a.params.K"][1]');
    expect(error.message).toContain('expected number to be >=0, got -2');
    const badPath = errorOf(`${valid}sweep:\n  systems.b.params.K: [1]\n`);
    expect(badPath.message).toMatch(
      /study\.yaml:10:3 sweep\["systems\.b\.params\.K"\]: expected an existing system \(a\), got 'b'/,
    );
  });

  it('refuses a probe whose requirements the system cannot meet', () => {
    const error = errorOf(
      valid.replace('  - use: counter', '  - use: counter\n    params: { estimator: { use: plug-in } }'),
    );
    expect(error).toBeInstanceOf(RequirementError);
    expect(error.message).toContain(
      "probe 'counter' cannot run on system 'a (chain)': needs data kind 'spins', system provides none",
    );
  });

  it('rejects unknown top-level keys and duplicate instance names', () => {
    expect(errorOf(`${valid}colour: blue\n`).message).toMatch(/unknown key 'colour'/);
    const duplicate = errorOf(valid.replace('probes:', '  - name: a\n    use: chain\n    params: { K: 1 }\nprobes:'));
    expect(duplicate.message).toMatch(/systems\[1\]\.name.*unique system name/);
  });
});

const ringStudy = (params: string, sweep: string) => `name: ring
systems:
  - name: r
    use: ring
    params: ${params}
probes:
  - use: counter
sweep:
${sweep}`;

describe('bad input: limits, locations, prototype keys', () => {
  it('refuses a YAML alias bomb with the alias limit in the message', () => {
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 8; i++)
      levels.push(
        `l${i}: &l${i} [${Array(9)
          .fill(i === 1 ? '*a' : `*l${i - 1}`)
          .join(', ')}]`,
      );
    const started = Date.now();
    const error = errorOf(`${levels.join('\n')}\n${valid}`);
    expect(error).toBeInstanceOf(StudySyntaxError);
    expect(error.message).toMatch(
      /^study\.yaml:\d+:\d+: malformed study file: YAML aliases expand too far .*at most 100 alias/,
    );
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('names a duplicate key, at its second occurrence', () => {
    const error = errorOf(valid.replace('seed: 3\n', 'seed: 3\nseed: 4\n'));
    expect(error).toBeInstanceOf(StudySyntaxError);
    expect(error.message).toBe("study.yaml:3:1: malformed study file: duplicate key 'seed' (first at line 2)");
  });

  it('refuses nesting deeper than the limit and texts longer than the limit, stating them', () => {
    expect(errorOf(`${valid}report: ${'['.repeat(100)}${']'.repeat(100)}\n`).message).toMatch(
      /nest deeper than 64 levels/,
    );
    expect(errorOf(`${valid}description: "${'x'.repeat(STUDY_LIMITS.maxTextLength)}"\n`).message).toMatch(
      /a study file may have at most 1000000/,
    );
  });

  it('refuses __proto__ keys and sweep paths through constructor or __proto__ at the sweep entry', () => {
    expect(errorOf(valid.replace('params: { K: 0.5 }', 'params: { K: 0.5, __proto__: { K: 1 } }')).message).toMatch(
      /study\.yaml:6:23: malformed study file: the key '__proto__' is not allowed/,
    );
    for (const key of ['constructor', '__proto__', 'prototype']) {
      const error = errorOf(`${valid}sweep:\n  "systems.a.params.${key}": [1, 2]\n`) as StudyValidationError;
      expect(error).toBeInstanceOf(StudyValidationError);
      expect(error.message).toContain(`study.yaml:10:3 sweep["systems.a.params.${key}"]`);
      expect(error.message).toContain(`the key '${key}' is not allowed`);
    }
    expect(({} as Record<string, unknown>)['K']).toBeUndefined();
  });

  it('points a misspelled sweep key at its sweep entry, listing the known parameters', () => {
    const error = errorOf(`${valid}sweep:\n  systems.a.params.KK:\n    - 1\n    - 2\n`);
    expect(error.message).toContain(
      "study.yaml:10:3 sweep[\"systems.a.params.KK\"]: expected a parameter path of system 'a', got 'systems.a.params.KK': 'KK' is not a parameter of system chain (known: K, samples)",
    );
  });

  it('fails validation (not expansion) when a swept value breaks a cross-field rule, at that value', () => {
    const error = errorOf(ringStudy('{ size: 8 }', '  systems.r.params.steps: [1, 2, 4]\n')) as StudyValidationError;
    expect(error).toBeInstanceOf(StudyValidationError);
    expect(error.issues).toHaveLength(1);
    expect(error.message).toContain(
      'study.yaml:9:34 sweep["systems.r.params.steps"][2] (system ring): expected size divisible by 2^steps (systems[0].params.size), got 8 with systems[0].params.steps = 4',
    );
  });

  it('checks every point of the grid: a combination of values each valid alone is an error', () => {
    const error = errorOf(
      ringStudy('{ size: 4, steps: 0 }', '  systems.r.params.size: [4, 6]\n  systems.r.params.steps: [0, 2]\n'),
    ) as StudyValidationError;
    expect(error).toBeInstanceOf(StudyValidationError);
    expect(error.message).toContain(
      'sweep (point systems.r.params.size = 6, systems.r.params.steps = 2) (system ring): expected size divisible by 2^steps (systems[0].params.size), got this combination of sweep values',
    );
    expect(error.message).toMatch(/study\.yaml:9:3 sweep/);
  });

  it('refuses a grid beyond the task limit before expanding it, stating the limit', () => {
    const axis = `[${Array.from({ length: 30 }, (_, i) => i + 1).join(', ')}]`;
    const text = `${valid}sweep:\n${['K', 'samples'].map((k) => `  systems.a.params.${k}: ${axis}`).join('\n')}\n  probes.counter.params.estimator.k: ${axis}\n  probes.counter.params.estimator.use: [plug-in]\nreplicates: 200\n`;
    const started = Date.now();
    const error = errorOf(text);
    expect(error.message).toContain(
      'sweep: expected at most 100,000 sweep points and 100,000 tasks per study, got 30 × 30 × 30 × 1 = 27,000 points, 180,000 tasks (with 200 replicate(s))',
    );
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it("refuses a configuration whose descriptor's memory estimate exceeds the limit, stating both", () => {
    const error = errorOf(
      ringStudy('{ size: 2, steps: 1 }', '  systems.r.params.size: [2, 8]\n'),
    ) as StudyValidationError;
    expect(error.message).toContain(
      'study.yaml:5:13 systems[0].params (system ring): expected a configuration that needs at most 4 GiB of memory per task, got about 8 GiB (8 sites of a GiB) at systems.r.params.size = 8',
    );
  });
});

describe('task expansion', () => {
  it('expands the sweep grid, runs each system configuration once and attaches every probe variant', () => {
    const study = resolve(
      `${valid.replace('  - use: counter', '  - name: p\n    use: counter')}sweep:\n  systems.a.params.K: [0.5, 1, 2]\n  probes.p.params.estimator.use: [exact, exact]\nreplicates: 2\n`,
    );
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

describe('study profiles', () => {
  const text = `name: demo
seed: 3
systems:
  - name: a
    use: chain
    params: { K: 0.5 }
probes:
  - use: counter
sweep:
  systems.a.params.K: [0.1, 0.2]
profiles:
  big:
    description: the larger grid
    set:
      replicates: 3
      systems.a.params.samples: 100
    sweep:
      systems.a.params.K: [0.1, 0.2, 0.3, 0.4]
  bad:
    set:
      systems.a.params.K: -1
`;
  const source = () => parseStudyText(text, 'study.yaml');

  it('a study with profiles resolves as written; the profile list is read from the file', () => {
    const study = resolveStudy(source(), registries);
    expect(study.name).toBe('demo');
    expect(study.profile).toBeUndefined();
    expect(study.replicates).toBe(1);
    expect(study.sweep[0]!.values).toEqual([0.1, 0.2]);
    expect(studyProfiles(source())).toEqual(['big', 'bad']);
  });

  it('a profile replaces parameters, top-level keys and sweep axes, and renames the study', () => {
    const study = resolveStudy(applyStudyProfile(source(), 'big'), registries);
    expect(study.name).toBe('demo-big');
    expect(study.profile).toBe('big');
    expect(study.replicates).toBe(3);
    expect(study.systems[0]!.given).toEqual({ K: 0.5, samples: 100 });
    expect(study.sweep[0]!.values).toEqual([0.1, 0.2, 0.3, 0.4]);
    expect(expandTasks(study, registries)).toHaveLength(12);
  });

  it('leaves the parsed source untouched (the plain study still resolves as written)', () => {
    const parsed = source();
    applyStudyProfile(parsed, 'big');
    expect(resolveStudy(parsed, registries).replicates).toBe(1);
  });

  it('an invalid value a profile sets is reported at the profile entry (line of the file)', () => {
    let error: unknown;
    try {
      resolveStudy(applyStudyProfile(source(), 'bad'), registries);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StudyValidationError);
    const issue = (error as StudyValidationError).issues[0]!;
    expect(issue.path).toBe('systems[0].params.K');
    expect(issue.line).toBe(text.split('\n').indexOf('      systems.a.params.K: -1') + 1);
  });

  it('an unknown profile, or a path to a missing instance, is a clear error', () => {
    expect(() => applyStudyProfile(source(), 'paper')).toThrow(
      /a profile of this study \(big, bad\).*--profile 'paper'/s,
    );
    const missing = parseStudyText(`${text}  other:\n    set:\n      systems.nope.params.K: 1\n`, 'study.yaml');
    expect(() => applyStudyProfile(missing, 'other')).toThrow(
      /profiles\.other\.set\.systems\.nope\.params\.K.*an existing system \(a\).*'nope'/s,
    );
    const plain = parseStudyText(valid, 'study.yaml');
    expect(() => applyStudyProfile(plain, 'big')).toThrow(/a study with `profiles:`/);
  });
});
