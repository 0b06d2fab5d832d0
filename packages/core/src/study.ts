import { z } from 'zod';
import { LineCounter, parseDocument, isNode, type Document } from 'yaml';
import { unmetRequirements } from './capabilities';
import { RequirementError, StudySyntaxError, StudyValidationError, UnknownIdError, type StudyIssue } from './errors';
import { canonicalJson, formatPath, getAt, parsePath, setAt, validateParams, type PathSegment } from './params';
import type { ProbeDescriptor } from './probe';
import type { DescriptorRegistry } from './registry';
import type { SystemDescriptor } from './system';

const name = z.string().regex(/^[a-z0-9][a-z0-9._-]*$/i, 'a name of letters, digits, ".", "_" or "-"');
const backendPattern = /^(auto|cpu|gpujs:(cpu|webasm|headlessgl|webgpu))$/;

/** The study envelope. Plugin parameters are validated separately against each descriptor's schema. */
/** A figure of the report. Without `report.figures`, the runner draws one line plot per probe × site axis. */
export const reportFigureSchema = z
  .object({
    title: z.string().optional().describe('Figure title'),
    probes: z.array(z.string()).min(1).optional().describe('Probe instances to draw (default: all)'),
    systems: z.array(z.string()).min(1).optional().describe('System instances to draw (default: all)'),
    where: z
      .record(z.string(), z.union([z.unknown().array(), z.unknown()]))
      .default({})
      .describe("Keep only runs whose swept parameters have these values: { 'systems.lattice.params.flow': kadanoff } (a list keeps any of its values; runs the path does not apply to are kept)"),
    type: z.enum(['line', 'heatmap']).default('line').describe("'line': value against x; 'heatmap': x = a sweep path, y = site index, colour = value"),
    x: z.string().default('site').describe("'site' (site index; several axes share it), 'time' (training time of trained systems) or a sweep path such as 'systems.lattice.params.K'"),
    at: z.number().int().min(0).optional().describe('With x = a sweep path: the site index to take (default: the last site of each run)'),
    y: z.enum(['value', 'normalised']).default('value').describe("'normalised': each series divided by its last value (compares shapes across systems)"),
    logY: z.boolean().default(false).describe('Logarithmic y axis'),
    markers: z
      .array(z.object({ x: z.number(), label: z.string().optional() }).strict())
      .default([])
      .describe('Vertical reference lines, e.g. K_c'),
    overlays: z
      .array(z.string())
      .default(['asymptote'])
      .describe("Measurement meta fields drawn as reference lines/curves (numbers, or objects of numbers under 'overlays')"),
    overlayLabels: z.record(z.string(), z.string()).optional().describe("Legend words for overlay keys, e.g. { xi_c: 'ξ_c' } (default: the report's words for known keys)"),
    references: z
      .array(z.object({ label: z.string(), y: z.number(), x: z.number().optional(), error: z.number().min(0).optional() }).strict())
      .default([])
      .describe('Published or known values, named in the legend: a horizontal line (no x) or a point with an optional error bar'),
    colourBy: z.string().optional().describe("Colour encodes this: 'series' (default: every series its own colour), 'system', 'probe', 'estimator', 'time' (training time), 'site', or a sweep path"),
    lineStyleBy: z.string().optional().describe('Line style (dash pattern) encodes this (same choices as colourBy)'),
    shapeBy: z.string().optional().describe('Marker shape encodes this (same choices as colourBy)'),
    facet: z.string().optional().describe("Panels side by side, one per value of this (same choices as colourBy)"),
    logX: z.boolean().default(false).describe('Logarithmic x axis'),
    xRange: z.tuple([z.number(), z.number()]).optional().describe('x axis limits [min, max]'),
    yRange: z.tuple([z.number(), z.number()]).optional().describe('y axis limits [min, max]: curves are broken where they leave them'),
    breaks: z.array(z.number()).default([]).describe('x values where the drawn quantities diverge (e.g. σ_w²_c): curves are never joined across them'),
    spread: z.enum(['sd', 'se', 'none']).default('sd').describe("With replicates: band of ± one standard deviation over replicates ('sd', the network-to-network spread), of the standard error of the mean ('se'), or none"),
    colourScale: z.enum(['auto', 'sequential', 'diverging']).default('auto').describe("Heat maps: 'auto' is diverging around 0 for signed values, sequential otherwise"),
    width: z.number().int().min(120).max(2400).optional().describe('Plot width in px (each panel)'),
    height: z.number().int().min(80).max(2400).optional().describe('Plot height in px (each panel)'),
    caption: z.string().optional().describe('Text added to the generated caption'),
  })
  .strict();
export type ReportFigure = z.infer<typeof reportFigureSchema>;

export const studyEnvelopeSchema = z
  .object({
    name: name.describe('Study name; default output folder is results/<name>/'),
    description: z.string().optional().describe('What the study shows'),
    seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(1).describe('Root seed: every random stream is split from it'),
    backend: z
      .string()
      .regex(backendPattern, 'one of auto, cpu, gpujs:cpu, gpujs:webasm, gpujs:headlessgl, gpujs:webgpu')
      .default('auto')
      .describe('Compute backend, chosen once per run'),
    replicates: z.number().int().min(1).max(10000).default(1).describe('Independent repetitions of every stochastic task'),
    output: z.string().optional().describe('Output folder (overridden by --out)'),
    unit: z.enum(['nat', 'bit']).default('nat').describe('Unit used in plots and the report (results.jsonl always stores nats)'),
    systems: z
      .array(
        z
          .object({
            name: name.optional().describe('Instance name (default: the id)'),
            use: z.string().describe('System id (see `entroscope list`)'),
            params: z.record(z.string(), z.unknown()).default({}),
          })
          .strict(),
      )
      .min(1),
    probes: z
      .array(
        z
          .object({
            name: name.optional().describe('Instance name (default: the id)'),
            use: z.string().describe('Probe id (see `entroscope list`)'),
            params: z.record(z.string(), z.unknown()).default({}),
            systems: z.array(z.string()).min(1).optional().describe('System instances to run on (default: all)'),
          })
          .strict(),
      )
      .min(1),
    sweep: z
      .record(z.string(), z.array(z.unknown()).min(1))
      .default({})
      .describe('Parameter path → list of values; the grid of all combinations is run'),
    report: z
      .object({ figures: z.array(reportFigureSchema).min(1).optional().describe('Figures of report.html (default: one per probe × site axis)') })
      .strict()
      .default({})
      .describe('What the report shows'),
  })
  .strict();

export type StudyEnvelope = z.infer<typeof studyEnvelopeSchema>;

/** A parsed study document with the means to point at lines and columns. */
export interface StudySource {
  readonly file: string;
  readonly raw: unknown;
  /** Line and column (1-based) of the value at `path`, or of its nearest existing parent. */
  locate(path: readonly PathSegment[]): { line: number; column: number } | undefined;
}

/** Parses YAML or JSON text (JSON is valid YAML), keeping positions for error messages. */
export function parseStudyText(text: string, file: string): StudySource {
  const lineCounter = new LineCounter();
  const document: Document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (document.errors.length > 0) {
    const error = document.errors[0]!;
    const position = error.linePos?.[0] ?? { line: 1, col: 1 };
    throw new StudySyntaxError(file, position.line, position.col, error.message.split('\n')[0]!);
  }
  const raw = document.toJS();
  return {
    file,
    raw,
    locate(path) {
      for (let depth = path.length; depth >= 0; depth--) {
        const node = document.getIn(path.slice(0, depth), true);
        if (isNode(node) && node.range) {
          const position = lineCounter.linePos(node.range[0]);
          return { line: position.line, column: position.col };
        }
      }
      return undefined;
    },
  };
}

export interface ResolvedInstance {
  readonly name: string;
  readonly use: string;
  /** Parameters as written in the study file. */
  readonly given: Record<string, unknown>;
}
export interface ResolvedProbeInstance extends ResolvedInstance {
  readonly systems: readonly string[];
}

/** One parameter sweep axis. */
export interface SweepAxis {
  /** As written, e.g. `systems.chain.params.K`. */
  readonly path: string;
  readonly target: { readonly kind: 'system' | 'probe'; readonly name: string; readonly paramPath: readonly PathSegment[] };
  readonly values: readonly unknown[];
}

/** A validated study: the envelope with defaults, instances, sweep axes. */
export interface ResolvedStudy {
  readonly file: string;
  readonly name: string;
  readonly description?: string;
  readonly seed: number;
  readonly backend: string;
  readonly replicates: number;
  readonly output?: string;
  readonly unit: 'nat' | 'bit';
  readonly systems: readonly ResolvedInstance[];
  readonly probes: readonly ResolvedProbeInstance[];
  readonly sweep: readonly SweepAxis[];
  readonly report: { readonly figures?: readonly ReportFigure[] };
}

export interface Registries {
  readonly systems: DescriptorRegistry<SystemDescriptor>;
  readonly probes: DescriptorRegistry<ProbeDescriptor>;
}

/** One run of one system configuration with every probe configuration attached to it. */
export interface Task {
  readonly index: number;
  /** Stable identity (used to resume): system, params, replicate. */
  readonly key: string;
  readonly replicate: number;
  readonly system: { readonly name: string; readonly use: string; readonly params: Record<string, unknown> };
  readonly probes: readonly TaskProbe[];
}
export interface TaskProbe {
  readonly name: string;
  readonly use: string;
  readonly params: Record<string, unknown>;
  /** The sweep values (path → value) that produced this probe configuration on this task. */
  readonly points: readonly Record<string, unknown>[];
}

/**
 * Validates a parsed study against the registries: envelope, ids, parameters of every instance at every
 * sweep point, and probe requirements. Collects all problems and throws one StudyValidationError (or an
 * UnknownIdError / RequirementError naming the place).
 */
export function resolveStudy(source: StudySource, registries: Registries): ResolvedStudy {
  const { file } = source;
  /** An issue at `path` (positions looked up in the document); `given` is already rendered for the message. */
  const issue = (path: readonly PathSegment[], expected: string, given: string): StudyIssue => ({
    file,
    path: formatPath(path),
    ...source.locate(path),
    expected,
    given,
  });
  const envelope = validateParams(studyEnvelopeSchema, source.raw, []);
  if (!envelope.ok) {
    throw new StudyValidationError(
      envelope.issues.map((i) => ({ ...i, file, ...source.locate(parsePath(i.path) ?? []) })),
    );
  }
  const study = envelope.value;
  const issues: StudyIssue[] = [];

  const nameInstances = <T extends { name?: string | undefined; use: string }>(list: T[], kind: string): string[] => {
    const names = list.map((item) => item.name ?? item.use);
    names.forEach((n, i) => {
      if (names.indexOf(n) !== i) {
        issues.push(issue([kind, i, 'name'], `a unique ${kind.slice(0, -1)} name (give each instance a 'name')`, `'${n}' used twice`));
      }
    });
    return names;
  };
  const systemNames = nameInstances(study.systems, 'systems');
  const probeNames = nameInstances(study.probes, 'probes');

  const lookup = <D extends { id: string }>(registry: DescriptorRegistry<D>, id: string, path: PathSegment[]): D | undefined => {
    if (registry.has(id)) return registry.get(id);
    throw new UnknownIdError(registry.kind, id, registry.ids(), { file, path: formatPath(path), ...source.locate(path) });
  };
  const systemDescriptors = study.systems.map((s, i) => lookup(registries.systems, s.use, ['systems', i, 'use'])!);
  const probeDescriptors = study.probes.map((p, i) => lookup(registries.probes, p.use, ['probes', i, 'use'])!);

  const probes: ResolvedProbeInstance[] = study.probes.map((p, i) => {
    const targets = p.systems ?? systemNames;
    targets.forEach((t, j) => {
      if (!systemNames.includes(t)) issues.push(issue(['probes', i, 'systems', j], `a system instance name (${systemNames.join(', ')})`, `'${t}'`));
    });
    return { name: probeNames[i]!, use: p.use, given: p.params, systems: targets };
  });
  const systems: ResolvedInstance[] = study.systems.map((s, i) => ({ name: systemNames[i]!, use: s.use, given: s.params }));

  // Sweep axes.
  const sweep: SweepAxis[] = [];
  for (const [path, values] of Object.entries(study.sweep)) {
    const where: PathSegment[] = ['sweep', path];
    const segments = parsePath(path);
    const kind = segments?.[0];
    const ref = segments?.[1];
    if (!segments || (kind !== 'systems' && kind !== 'probes') || segments[2] !== 'params' || segments.length < 4 || ref === undefined) {
      issues.push(issue(where, "a path 'systems.<name>.params.<key>' or 'probes.<name>.params.<key>' (or systems[<i>]...)", `'${path}'`));
      continue;
    }
    const names = kind === 'systems' ? systemNames : probeNames;
    const instanceName = typeof ref === 'number' ? names[ref] : ref;
    if (instanceName === undefined || !names.includes(instanceName)) {
      issues.push(issue(where, `an existing ${kind.slice(0, -1)} (${names.join(', ')})`, `'${ref}'`));
      continue;
    }
    sweep.push({ path, target: { kind: kind === 'systems' ? 'system' : 'probe', name: instanceName, paramPath: segments.slice(3) }, values });
  }

  // Validate every instance's parameters, once as written and once per swept value.
  const check = (kind: 'system' | 'probe', index: number, descriptor: { id: string; paramsSchema: z.ZodType }, given: Record<string, unknown>, instanceName: string) => {
    const prefix: PathSegment[] = [kind === 'system' ? 'systems' : 'probes', index, 'params'];
    const context = `${kind} ${descriptor.id}`;
    const axes = sweep.filter((a) => a.target.kind === kind && a.target.name === instanceName);
    const base = axes.reduce<unknown>((acc, a) => (getAt(acc, a.target.paramPath) === undefined ? setAt(acc, a.target.paramPath, a.values[0]) : acc), given);
    const result = validateParams(descriptor.paramsSchema, base, prefix, context);
    if (!result.ok) for (const i of result.issues) issues.push({ ...i, file, ...source.locate(parsePath(i.path) ?? prefix) });
    for (const axis of axes) {
      axis.values.forEach((value, k) => {
        const swept = validateParams(descriptor.paramsSchema, setAt(base, axis.target.paramPath, value), prefix, context);
        if (!swept.ok) {
          for (const i of swept.issues) {
            if (i.path !== formatPath([...prefix, ...axis.target.paramPath])) continue;
            issues.push({ ...i, file, path: `sweep["${axis.path}"][${k}]`, ...source.locate(['sweep', axis.path, k]) });
          }
        }
      });
    }
  };
  study.systems.forEach((s, i) => check('system', i, systemDescriptors[i]!, s.params, systemNames[i]!));
  study.probes.forEach((p, i) => check('probe', i, probeDescriptors[i]!, p.params, probeNames[i]!));
  (study.report.figures ?? []).forEach((figure, i) => {
    const at = (key: string, j?: number): PathSegment[] => ['report', 'figures', i, key, ...(j === undefined ? [] : [j])];
    figure.probes?.forEach((p, j) => {
      if (!probeNames.includes(p)) issues.push(issue(at('probes', j), `a probe name (${probeNames.join(', ')})`, `'${p}'`));
    });
    figure.systems?.forEach((s, j) => {
      if (!systemNames.includes(s)) issues.push(issue(at('systems', j), `a system name (${systemNames.join(', ')})`, `'${s}'`));
    });
    const swept = sweep.map((a) => a.path);
    for (const key of Object.keys(figure.where)) {
      if (!swept.includes(key)) issues.push(issue(at('where'), `sweep paths of this study as keys (${swept.join(', ') || 'none'})`, `'${key}'`));
    }
    if (figure.x !== 'site' && figure.x !== 'time' && !swept.includes(figure.x)) {
      issues.push(issue(at('x'), `'site', 'time' or a sweep path of this study (${swept.join(', ') || 'none'})`, `'${figure.x}'`));
    }
    const encodable = ['series', 'system', 'probe', 'estimator', 'time', 'site', ...swept];
    for (const key of ['colourBy', 'lineStyleBy', 'shapeBy', 'facet'] as const) {
      const v = figure[key];
      if (v !== undefined && !encodable.includes(v)) issues.push(issue(at(key), `one of ${encodable.join(', ')}`, `'${v}'`));
    }
    if (figure.type === 'heatmap' && figure.x === 'site') issues.push(issue(at('x'), 'a sweep path (a heat map has the swept parameter on x and the site on y)', "'site'"));
  });
  if (issues.length > 0) throw new StudyValidationError(issues);

  const resolved: ResolvedStudy = {
    file,
    name: study.name,
    description: study.description,
    seed: study.seed,
    backend: study.backend,
    replicates: study.replicates,
    output: study.output,
    unit: study.unit,
    systems,
    probes,
    sweep,
    report: study.report,
  };

  // Requirements, for every task's concrete configurations.
  for (const task of expandTasks(resolved, registries)) {
    const system = registries.systems.get(task.system.use);
    const capabilities = system.provides(task.system.params);
    for (const probe of task.probes) {
      const index = probes.findIndex((p) => p.name === probe.name);
      const missing = unmetRequirements(registries.probes.get(probe.use).requires(probe.params), capabilities);
      if (missing.length > 0) {
        const path: PathSegment[] = ['probes', index, 'use'];
        throw new RequirementError(probe.use, `${task.system.name} (${task.system.use})`, missing, { file, path: formatPath(path), ...source.locate(path) });
      }
    }
  }
  return resolved;
}

/** Every combination of sweep values (grid), as path → value maps, in file order. */
export function sweepPoints(study: ResolvedStudy): Record<string, unknown>[] {
  let points: Record<string, unknown>[] = [{}];
  for (const axis of study.sweep) {
    points = points.flatMap((p) => axis.values.map((v) => ({ ...p, [axis.path]: v })));
  }
  return points;
}

/**
 * Expands sweeps and replicates into tasks. Points that give a system the same parameters share one
 * task (the system runs once; every probe configuration is attached to it).
 */
export function expandTasks(study: ResolvedStudy, registries: Registries): Task[] {
  const parse = <T>(descriptor: { paramsSchema: z.ZodType<T> }, value: unknown): T => descriptor.paramsSchema.parse(value ?? {});
  const apply = (kind: 'system' | 'probe', instance: ResolvedInstance, point: Record<string, unknown>) =>
    study.sweep
      .filter((a) => a.target.kind === kind && a.target.name === instance.name)
      .reduce<unknown>((acc, a) => setAt(acc, a.target.paramPath, point[a.path]), instance.given) as Record<string, unknown>;

  const tasks: Task[] = [];
  const byKey = new Map<string, { system: Task['system']; probes: Map<string, TaskProbe & { points: Record<string, unknown>[] }> }>();
  const order: string[] = [];
  for (const point of sweepPoints(study)) {
    for (const system of study.systems) {
      const params = parse(registries.systems.get(system.use), apply('system', system, point)) as Record<string, unknown>;
      const key = `${system.name}:${canonicalJson(params)}`;
      let entry = byKey.get(key);
      if (!entry) {
        entry = { system: { name: system.name, use: system.use, params }, probes: new Map() };
        byKey.set(key, entry);
        order.push(key);
      }
      for (const probe of study.probes) {
        if (!probe.systems.includes(system.name)) continue;
        const probeParams = parse(registries.probes.get(probe.use), apply('probe', probe, point)) as Record<string, unknown>;
        const probeKey = `${probe.name}:${canonicalJson(probeParams)}`;
        const relevant = Object.fromEntries(Object.entries(point).filter(([path]) => {
          const axis = study.sweep.find((a) => a.path === path)!;
          return axis.target.name === (axis.target.kind === 'system' ? system.name : probe.name);
        }));
        const existing = entry.probes.get(probeKey);
        if (existing) {
          if (!existing.points.some((p) => canonicalJson(p) === canonicalJson(relevant))) existing.points.push(relevant);
        } else entry.probes.set(probeKey, { name: probe.name, use: probe.use, params: probeParams, points: [relevant] });
      }
    }
  }
  for (const key of order) {
    const entry = byKey.get(key)!;
    for (let replicate = 0; replicate < study.replicates; replicate++) {
      tasks.push({
        index: tasks.length,
        key: `${key}#${replicate}`,
        replicate,
        system: entry.system,
        probes: [...entry.probes.values()],
      });
    }
  }
  return tasks;
}
