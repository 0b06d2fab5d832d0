import { z } from 'zod';
import { LineCounter, parseDocument, isMap, isNode, isScalar, isSeq, type Document } from 'yaml';
import { unmetRequirements } from './capabilities';
import {
  RequirementError,
  StudySyntaxError,
  StudyValidationError,
  UnknownIdError,
  renderValue,
  type StudyIssue,
} from './errors';
import {
  canonicalJson,
  formatPath,
  getAt,
  knownKeysAt,
  parsePath,
  setAt,
  validateParams,
  type PathSegment,
} from './params';
import type { ProbeDescriptor } from './probe';
import type { DescriptorRegistry } from './registry';
import type { SystemDescriptor } from './system';

const name = z.string().regex(/^[a-z0-9][a-z0-9._-]*$/i, 'a name of letters, digits, ".", "_" or "-"');
/** Backend ids a study (or `--backend`) may request. */
export const backendIdPattern = /^(auto|cpu|gpujs:(cpu|webasm|headlessgl|webgpu))$/;

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
      .describe(
        "Keep only runs whose swept parameters have these values: { 'systems.lattice.params.flow': kadanoff } (a list keeps any of its values; runs the path does not apply to are kept)",
      ),
    type: z
      .enum(['line', 'heatmap', 'plane'])
      .default('line')
      .describe(
        "'line': value against x; 'heatmap': x = a sweep path, y = site index, colour = value; 'plane': one probe's value against another's at the same sites (see `plane`)",
      ),
    plane: z
      .object({
        x: z.string().min(1).describe("Name of the quantity on x, e.g. 'I(X;T)'"),
        y: z.string().min(1).describe("Name of the quantity on y, e.g. 'I(T;Y)'"),
        pairs: z
          .array(
            z
              .object({
                x: z.string().describe('Probe instance giving x'),
                y: z.string().describe('Probe instance giving y'),
                label: z.string().min(1).describe('Words naming the estimators of the pair (heads its panel)'),
              })
              .strict(),
          )
          .min(1)
          .describe('Pairs of probe instances measured at the same (system, site, time, replicate); one panel each'),
      })
      .strict()
      .optional()
      .describe(
        "type 'plane' (the information plane): points (x probe, y probe) per site (marker) and training time (colour), replicates averaged with ± spread bars",
      ),
    x: z
      .string()
      .default('site')
      .describe(
        "'site' (site index; several axes share it), 'time' (training time of trained systems) or a sweep path such as 'systems.lattice.params.K'",
      ),
    xAlso: z
      .array(z.string())
      .min(1)
      .optional()
      .describe(
        "With x = a sweep path: sweep paths of other systems or probes that sweep the same quantity (e.g. 'systems.truth.params.sigmaW2' beside x = 'systems.net.params.sigmaW2'); every series is drawn on the one x axis against the path of its own system or probe",
      ),
    xNormalised: z
      .boolean()
      .optional()
      .describe(
        "Each series' own x axis mapped to [0, 1]: x/x_last over its points (RG step n/N, layer ℓ/L, diffusion time s/T, epoch t/E; an axis with negative coordinates is first shifted to start at 0), so that systems with different site axes share one figure",
      ),
    at: z
      .number()
      .int()
      .min(0)
      .optional()
      .describe('With x = a sweep path: the site index to take (default: the last site of each run)'),
    y: z
      .enum(['value', 'normalised', 'peak'])
      .default('value')
      .describe(
        "'normalised': each series divided by its last value (compares shapes across systems); 'peak': each series divided by its largest absolute value (a decaying and a growing curve both end up in [−1, 1])",
      ),
    logY: z.boolean().default(false).describe('Logarithmic y axis'),
    markers: z
      .array(z.object({ x: z.number(), label: z.string().optional() }).strict())
      .default([])
      .describe('Vertical reference lines, e.g. K_c'),
    overlays: z
      .array(z.string())
      .default(['asymptote'])
      .describe(
        "Measurement meta fields drawn as reference lines/curves (numbers, or objects of numbers under 'overlays')",
      ),
    overlayLabels: z
      .record(z.string(), z.string())
      .optional()
      .describe("Legend words for overlay keys, e.g. { xi_c: 'ξ_c' } (default: the report's words for known keys)"),
    references: z
      .array(
        z
          .object({ label: z.string(), y: z.number(), x: z.number().optional(), error: z.number().min(0).optional() })
          .strict(),
      )
      .default([])
      .describe(
        'Published or known values, named in the legend: a horizontal line (no x) or a point with an optional error bar',
      ),
    colourBy: z
      .string()
      .optional()
      .describe(
        "Colour encodes this: 'series' (default: every series its own colour), 'system', 'probe', 'estimator', 'time' (training time), 'site', or a sweep path",
      ),
    lineStyleBy: z.string().optional().describe('Line style (dash pattern) encodes this (same choices as colourBy)'),
    shapeBy: z.string().optional().describe('Marker shape encodes this (same choices as colourBy)'),
    facet: z.string().optional().describe('Panels side by side, one per value of this (same choices as colourBy)'),
    logX: z.boolean().default(false).describe('Logarithmic x axis'),
    xRange: z.tuple([z.number(), z.number()]).optional().describe('x axis limits [min, max]'),
    yRange: z
      .tuple([z.number(), z.number()])
      .optional()
      .describe('y axis limits [min, max]: curves are broken where they leave them'),
    breaks: z
      .array(z.number())
      .default([])
      .describe('x values where the drawn quantities diverge (e.g. σ_w²_c): curves are never joined across them'),
    spread: z
      .enum(['sd', 'se', 'none'])
      .default('sd')
      .describe(
        "With replicates: band of ± one standard deviation over replicates ('sd', the network-to-network spread), of the standard error of the mean ('se'), or none",
      ),
    colourScale: z
      .enum(['auto', 'sequential', 'diverging'])
      .default('auto')
      .describe("Heat maps: 'auto' is diverging around 0 for signed values, sequential otherwise"),
    width: z.number().int().min(120).max(2400).optional().describe('Plot width in px (each panel)'),
    height: z.number().int().min(80).max(2400).optional().describe('Plot height in px (each panel)'),
    caption: z.string().optional().describe('Text added to the generated caption'),
    fit: z
      .object({
        law: z
          .enum(['linear', 'log', 'inverse', 'power'])
          .describe(
            "Least-squares fit per series of y = a + b·x ('linear'), y = a + b ln x ('log'), y = a + b/x ('inverse') or ln y = a + b ln x ('power', y > 0)",
          ),
        estimators: z
          .array(z.string())
          .min(1)
          .optional()
          .describe(
            'Fit only the series of these estimators (e.g. a training-metrics metric name); default: every series',
          ),
        label: z.string().optional().describe('Name of the fit in the legend (default: the formula)'),
        residuals: z
          .boolean()
          .default(true)
          .describe('Draw the residuals y − fit with their error bars in a panel below'),
      })
      .strict()
      .optional()
      .describe(
        "Line figures: a fitted law per series, drawn with its ± 1 s.e. band; parameters ± standard errors and χ² in the caption and in the specification's usermeta.fits",
      ),
  })
  .strict();
export type ReportFigure = z.infer<typeof reportFigureSchema>;

export const studyEnvelopeSchema = z
  .object({
    name: name.describe('Study name; default output folder is results/<name>/'),
    description: z.string().optional().describe('What the study shows'),
    seed: z
      .number()
      .int()
      .min(0)
      .max(Number.MAX_SAFE_INTEGER)
      .default(1)
      .describe('Root seed: every random stream is split from it'),
    backend: z
      .string()
      .regex(backendIdPattern, 'one of auto, cpu, gpujs:cpu, gpujs:webasm, gpujs:headlessgl, gpujs:webgpu')
      .default('auto')
      .describe('Compute backend, chosen once per run'),
    replicates: z
      .number()
      .int()
      .min(1)
      .max(10000)
      .default(1)
      .describe('Independent repetitions of every stochastic task'),
    output: z.string().optional().describe('Output folder (overridden by --out)'),
    unit: z
      .enum(['nat', 'bit'])
      .default('nat')
      .describe('Unit used in plots and the report (results.jsonl always stores nats)'),
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
    profiles: z
      .record(
        name,
        z
          .object({
            description: z.string().optional().describe('What this profile runs (e.g. the paper-size grid)'),
            set: z
              .record(z.string(), z.unknown())
              .default({})
              .describe(
                "Path → value replacing the study's own: 'systems.<name>.params.<key>', 'probes.<name>.params.<key>', or a top-level key (seed, replicates, backend, description, unit, report)",
              ),
            sweep: z
              .record(z.string(), z.array(z.unknown()).min(1))
              .default({})
              .describe('Sweep axes added or replaced (same paths as the study sweep)'),
          })
          .strict(),
      )
      .optional()
      .describe('Named variants of the study, selected with `entroscope run STUDY --profile NAME`'),
    profile: z.string().optional().describe('The profile applied (written by --profile; not for study files)'),
    report: z
      .object({
        figures: z
          .array(reportFigureSchema)
          .min(1)
          .optional()
          .describe('Figures of report.html (default: one per probe × site axis)'),
      })
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
  /** Line and column of the key of the entry at `path` (its value when the key is not found). */
  locateKey?(path: readonly PathSegment[]): { line: number; column: number } | undefined;
}

/**
 * Limits on what a study may ask for, checked while parsing and validating (before anything runs). They keep a
 * hostile or mistaken file from exhausting time or memory: every limit is stated in the error that enforces it.
 */
export const STUDY_LIMITS = {
  /** Characters of study text. */
  maxTextLength: 1_000_000,
  /** YAML aliases resolved (yaml's `maxAliasCount`; a billion-laughs file stops here). */
  maxAliasCount: 100,
  /** Nesting depth of maps and lists. */
  maxDepth: 64,
  /** Tasks (distinct system configurations × replicates) one study may expand into. */
  maxTasks: 100_000,
  /** Sweep grid points (the product of the axes' lengths) before equal configurations are merged. */
  maxSweepPoints: 100_000,
  /** Estimated memory one task may need (descriptors that declare `estimate`). */
  maxTaskBytes: 4 * 2 ** 30,
} as const;

/** Keys that would reach an object's prototype when set by path; never valid in a study. */
const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** Parses YAML or JSON text (JSON is valid YAML), keeping positions for error messages. */
export function parseStudyText(text: string, file: string): StudySource {
  if (text.length > STUDY_LIMITS.maxTextLength) {
    throw new StudySyntaxError(
      file,
      1,
      1,
      `the file has ${text.length} characters; a study file may have at most ${STUDY_LIMITS.maxTextLength}`,
    );
  }
  const lineCounter = new LineCounter();
  const at = (offset: number | undefined) => {
    const position = lineCounter.linePos(offset ?? 0);
    return { line: position.line, col: position.col };
  };
  let document: Document;
  try {
    // Duplicate keys are found below (to name the key); the parser's own check only says "must be unique".
    document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false });
  } catch (error) {
    throw new StudySyntaxError(
      file,
      1,
      1,
      `cannot be parsed (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  if (document.errors.length > 0) {
    const error = document.errors[0]!;
    const position = at(error.pos[0]);
    throw new StudySyntaxError(file, position.line, position.col, error.message.split('\n')[0]!);
  }
  checkNodes(document.contents, 1, file, at);
  let raw: unknown;
  try {
    raw = document.toJS({ maxAliasCount: STUDY_LIMITS.maxAliasCount });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    if (/alias/i.test(reason)) {
      throw new StudySyntaxError(
        file,
        1,
        1,
        `YAML aliases expand too far (${reason}; at most ${STUDY_LIMITS.maxAliasCount} alias resolutions are allowed)`,
      );
    }
    throw new StudySyntaxError(file, 1, 1, reason);
  }
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
    locateKey(path) {
      const parent = path.length > 1 ? document.getIn(path.slice(0, -1), true) : document.contents;
      if (isMap(parent)) {
        const pair = parent.items.find(
          (item) => (isScalar(item.key) ? item.key.value : item.key) === path[path.length - 1],
        );
        if (pair && isNode(pair.key) && pair.key.range) {
          const position = lineCounter.linePos(pair.key.range[0]);
          return { line: position.line, column: position.col };
        }
      }
      return this.locate(path);
    },
  };
}

/** Depth limit, duplicate keys (named, at the second one) and keys that reach a prototype. */
function checkNodes(
  node: unknown,
  depth: number,
  file: string,
  at: (offset: number | undefined) => { line: number; col: number },
): void {
  if (!isMap(node) && !isSeq(node)) return;
  if (depth > STUDY_LIMITS.maxDepth) {
    const position = at(node.range?.[0]);
    throw new StudySyntaxError(
      file,
      position.line,
      position.col,
      `maps and lists nest deeper than ${STUDY_LIMITS.maxDepth} levels`,
    );
  }
  if (isMap(node)) {
    const seen = new Map<unknown, number | undefined>();
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? pair.key.value : pair.key;
      const offset = isNode(pair.key) ? pair.key.range?.[0] : undefined;
      if (typeof key === 'string' && FORBIDDEN_KEYS.has(key) && key !== 'constructor' && key !== 'prototype') {
        const position = at(offset);
        throw new StudySyntaxError(file, position.line, position.col, `the key '${key}' is not allowed`);
      }
      if (seen.has(key)) {
        const position = at(offset);
        const first = seen.get(key);
        throw new StudySyntaxError(
          file,
          position.line,
          position.col,
          `duplicate key '${String(key)}'${first !== undefined ? ` (first at line ${at(first).line})` : ''}`,
        );
      }
      seen.set(key, offset);
      checkNodes(pair.value, depth + 1, file, at);
    }
  } else for (const item of node.items) checkNodes(item, depth + 1, file, at);
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
  readonly target: {
    readonly kind: 'system' | 'probe';
    readonly name: string;
    readonly paramPath: readonly PathSegment[];
  };
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
  /** The profile applied (`--profile`), absent for the study as written. */
  readonly profile?: string;
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
        issues.push(
          issue(
            [kind, i, 'name'],
            `a unique ${kind.slice(0, -1)} name (give each instance a 'name')`,
            `'${n}' used twice`,
          ),
        );
      }
    });
    return names;
  };
  const systemNames = nameInstances(study.systems, 'systems');
  const probeNames = nameInstances(study.probes, 'probes');

  const lookup = <D extends { id: string }>(
    registry: DescriptorRegistry<D>,
    id: string,
    path: PathSegment[],
  ): D | undefined => {
    if (registry.has(id)) return registry.get(id);
    throw new UnknownIdError(registry.kind, id, registry.ids(), {
      file,
      path: formatPath(path),
      ...source.locate(path),
    });
  };
  const systemDescriptors = study.systems.map((s, i) => lookup(registries.systems, s.use, ['systems', i, 'use'])!);
  const probeDescriptors = study.probes.map((p, i) => lookup(registries.probes, p.use, ['probes', i, 'use'])!);

  const probes: ResolvedProbeInstance[] = study.probes.map((p, i) => {
    const targets = p.systems ?? systemNames;
    targets.forEach((t, j) => {
      if (!systemNames.includes(t))
        issues.push(issue(['probes', i, 'systems', j], `a system instance name (${systemNames.join(', ')})`, `'${t}'`));
    });
    return { name: probeNames[i]!, use: p.use, given: p.params, systems: targets };
  });
  const systems: ResolvedInstance[] = study.systems.map((s, i) => ({
    name: systemNames[i]!,
    use: s.use,
    given: s.params,
  }));

  // Sweep axes.
  const sweep: SweepAxis[] = [];
  const seenTargets = new Map<string, string>();
  for (const [path, values] of Object.entries(study.sweep)) {
    const where: PathSegment[] = ['sweep', path];
    const atKey = (expected: string, given: string): StudyIssue => ({
      ...issue(where, expected, given),
      path: `sweep["${path}"]`,
      ...source.locateKey?.(where),
    });
    const segments = parsePath(path);
    const kind = segments?.[0];
    const ref = segments?.[1];
    if (
      !segments ||
      (kind !== 'systems' && kind !== 'probes') ||
      segments[2] !== 'params' ||
      segments.length < 4 ||
      ref === undefined
    ) {
      issues.push(
        atKey("a path 'systems.<name>.params.<key>' or 'probes.<name>.params.<key>' (or systems[<i>]...)", `'${path}'`),
      );
      continue;
    }
    const forbidden = segments.find((segment) => typeof segment === 'string' && FORBIDDEN_KEYS.has(segment));
    if (forbidden !== undefined) {
      issues.push(atKey('a parameter path of plain keys', `'${path}' (the key '${forbidden}' is not allowed)`));
      continue;
    }
    const names = kind === 'systems' ? systemNames : probeNames;
    const instanceName = typeof ref === 'number' ? names[ref] : ref;
    if (instanceName === undefined || !names.includes(instanceName)) {
      issues.push(atKey(`an existing ${kind.slice(0, -1)} (${names.join(', ')})`, `'${ref}'`));
      continue;
    }
    const instanceIndex = names.indexOf(instanceName);
    const descriptor = kind === 'systems' ? systemDescriptors[instanceIndex]! : probeDescriptors[instanceIndex]!;
    const given = (kind === 'systems' ? study.systems : study.probes)[instanceIndex]!.params;
    const paramPath = segments.slice(3);
    // Every named key must be a parameter the descriptor knows (found here, so the error points at the sweep entry).
    let unknownKey: string | undefined;
    for (let depth = 0; depth < paramPath.length && unknownKey === undefined; depth++) {
      const segment = paramPath[depth]!;
      if (typeof segment !== 'string') break;
      const known = knownKeysAt(descriptor.paramsSchema, paramPath.slice(0, depth), setAt(given, paramPath, values[0]));
      if (known === undefined) break;
      if (!known.includes(segment))
        unknownKey = `'${segment}' is not a parameter of ${kind.slice(0, -1)} ${descriptor.id} (known: ${known.join(', ')})`;
    }
    if (unknownKey !== undefined) {
      issues.push({
        ...atKey(`a parameter path of ${kind.slice(0, -1)} '${instanceName}'`, `'${path}': ${unknownKey}`),
        hint: 'see `entroscope list`',
      });
      continue;
    }
    const target = `${kind}:${instanceName}:${canonicalJson(paramPath)}`;
    if (seenTargets.has(target)) {
      issues.push(
        atKey(`one sweep axis per parameter`, `'${path}' sweeps the same parameter as '${seenTargets.get(target)}'`),
      );
      continue;
    }
    seenTargets.set(target, path);
    sweep.push({
      path,
      target: { kind: kind === 'systems' ? 'system' : 'probe', name: instanceName, paramPath },
      values,
    });
  }

  // Size of the grid, before anything is expanded (a few short axes multiply into millions of tasks).
  const points = sweep.reduce((n, a) => n * a.values.length, 1);
  const taskCount =
    study.replicates *
    systemNames.reduce(
      (n, name) =>
        n +
        sweep
          .filter((a) => a.target.kind === 'system' && a.target.name === name)
          .reduce((m, a) => m * a.values.length, 1),
      0,
    );
  if (points > STUDY_LIMITS.maxSweepPoints || taskCount > STUDY_LIMITS.maxTasks) {
    const shape = sweep.map((a) => a.values.length).join(' × ') || '1';
    issues.push({
      ...issue(
        ['sweep'],
        `at most ${count(STUDY_LIMITS.maxSweepPoints)} sweep points and ${count(STUDY_LIMITS.maxTasks)} tasks per study`,
        `${shape} = ${count(points)} points, ${count(taskCount)} tasks (with ${study.replicates} replicate(s))`,
      ),
      ...source.locateKey?.(['sweep']),
      hint: 'shorten the sweep or split it into several studies',
    });
    throw new StudyValidationError(issues);
  }

  // Validate every instance's parameters, once as written and once per swept value.
  /** Sweep values (axis path → value indices) already reported as invalid on their own. */
  const badValues = new Set<string>();
  const check = (
    kind: 'system' | 'probe',
    index: number,
    descriptor: { id: string; paramsSchema: z.ZodType },
    given: Record<string, unknown>,
    instanceName: string,
  ) => {
    const prefix: PathSegment[] = [kind === 'system' ? 'systems' : 'probes', index, 'params'];
    const context = `${kind} ${descriptor.id}`;
    const axes = sweep.filter((a) => a.target.kind === kind && a.target.name === instanceName);
    const base = axes.reduce<unknown>(
      (acc, a) => (getAt(acc, a.target.paramPath) === undefined ? setAt(acc, a.target.paramPath, a.values[0]) : acc),
      given,
    );
    const result = validateParams(descriptor.paramsSchema, base, prefix, context);
    if (!result.ok)
      for (const i of result.issues) issues.push({ ...i, file, ...source.locate(parsePath(i.path) ?? prefix) });
    for (const axis of axes) {
      const axisPath = formatPath([...prefix, ...axis.target.paramPath]);
      axis.values.forEach((value, k) => {
        const swept = validateParams(
          descriptor.paramsSchema,
          setAt(base, axis.target.paramPath, value),
          prefix,
          context,
        );
        if (swept.ok) return;
        badValues.add(`${axis.path}#${k}`);
        for (const i of swept.issues) {
          // An issue elsewhere that the base passes is a cross-field rule this value breaks: report it here too.
          if (i.path !== axisPath && !result.ok && result.issues.some((r) => r.path === i.path)) continue;
          const rule =
            i.path === axisPath
              ? {}
              : { expected: `${i.expected} (${i.path})`, given: `${i.given} with ${axisPath} = ${renderValue(value)}` };
          issues.push({
            ...i,
            ...rule,
            file,
            path: `sweep["${axis.path}"][${k}]`,
            ...source.locate(['sweep', axis.path, k]),
          });
        }
      });
    }
  };
  study.systems.forEach((s, i) => check('system', i, systemDescriptors[i]!, s.params, systemNames[i]!));
  study.probes.forEach((p, i) => check('probe', i, probeDescriptors[i]!, p.params, probeNames[i]!));
  (study.report.figures ?? []).forEach((figure, i) => {
    const at = (key: string, j?: number): PathSegment[] => [
      'report',
      'figures',
      i,
      key,
      ...(j === undefined ? [] : [j]),
    ];
    figure.probes?.forEach((p, j) => {
      if (!probeNames.includes(p))
        issues.push(issue(at('probes', j), `a probe name (${probeNames.join(', ')})`, `'${p}'`));
    });
    figure.systems?.forEach((s, j) => {
      if (!systemNames.includes(s))
        issues.push(issue(at('systems', j), `a system name (${systemNames.join(', ')})`, `'${s}'`));
    });
    const swept = sweep.map((a) => a.path);
    for (const key of Object.keys(figure.where)) {
      if (!swept.includes(key))
        issues.push(
          issue(at('where'), `sweep paths of this study as keys (${swept.join(', ') || 'none'})`, `'${key}'`),
        );
    }
    if (figure.x !== 'site' && figure.x !== 'time' && !swept.includes(figure.x)) {
      issues.push(
        issue(at('x'), `'site', 'time' or a sweep path of this study (${swept.join(', ') || 'none'})`, `'${figure.x}'`),
      );
    }
    figure.xAlso?.forEach((path, j) => {
      if (figure.x === 'site' || figure.x === 'time')
        issues.push(issue(at('xAlso', j), `no xAlso unless x is a sweep path (x is '${figure.x}')`, `'${path}'`));
      else if (!swept.includes(path) || path === figure.x)
        issues.push(
          issue(
            at('xAlso', j),
            `another sweep path of this study (${swept.filter((p) => p !== figure.x).join(', ') || 'none'})`,
            `'${path}'`,
          ),
        );
    });
    const encodable = ['series', 'system', 'probe', 'estimator', 'time', 'site', ...swept];
    for (const key of ['colourBy', 'lineStyleBy', 'shapeBy', 'facet'] as const) {
      const v = figure[key];
      if (v !== undefined && !encodable.includes(v))
        issues.push(issue(at(key), `one of ${encodable.join(', ')}`, `'${v}'`));
    }
    if (figure.type === 'plane' && !figure.plane)
      issues.push(
        issue(at('plane'), "the plane's quantities and probe pairs: { x, y, pairs: [{ x, y, label }] }", 'nothing'),
      );
    figure.plane?.pairs.forEach((pair, j) => {
      for (const side of ['x', 'y'] as const)
        if (!probeNames.includes(pair[side]))
          issues.push(
            issue([...at('plane'), 'pairs', j, side], `a probe name (${probeNames.join(', ')})`, `'${pair[side]}'`),
          );
    });
    if (figure.type === 'heatmap' && figure.x === 'site')
      issues.push(issue(at('x'), 'a sweep path (a heat map has the swept parameter on x and the site on y)', "'site'"));
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
    ...(study.profile !== undefined ? { profile: study.profile } : {}),
  };

  // Every task's concrete parameters (combinations of sweep values can break a rule each value passes alone).
  const gridIssues: StudyIssue[] = [];
  let unreported = 0;
  const tasks = expandTasksWith(resolved, registries, (kind, instanceIndex, point, zodIssues) => {
    const instanceName = kind === 'system' ? systemNames[instanceIndex]! : probeNames[instanceIndex]!;
    const own = sweep.filter((a) => a.target.kind === kind && a.target.name === instanceName);
    if (own.some((a) => badValues.has(`${a.path}#${a.values.indexOf(point[a.path])}`))) return;
    if (gridIssues.length >= 10) {
      unreported++;
      return;
    }
    const prefix: PathSegment[] = [kind === 'system' ? 'systems' : 'probes', instanceIndex, 'params'];
    const where: PathSegment[] = own.length > 0 ? ['sweep', own[0]!.path] : prefix;
    const at = own.map((a) => `${a.path} = ${renderValue(point[a.path])}`).join(', ');
    for (const z of zodIssues.slice(0, 3)) {
      gridIssues.push({
        file,
        path: own.length > 0 ? `sweep (point ${at})` : formatPath(prefix),
        ...(own.length > 0 ? source.locateKey?.(where) : source.locate(where)),
        expected: `${z.message.replace(/^expected /i, '')} (${formatPath([...prefix, ...(z.path as PathSegment[])])})`,
        given: `this combination of sweep values`,
        context: `${kind} ${kind === 'system' ? systemDescriptors[instanceIndex]!.id : probeDescriptors[instanceIndex]!.id}`,
      });
    }
  });
  if (gridIssues.length > 0) {
    if (unreported > 0)
      gridIssues.push({
        file,
        path: 'sweep',
        expected: 'valid parameters at every sweep point',
        given: `${unreported} more invalid point(s) not listed`,
      });
    throw new StudyValidationError(gridIssues);
  }

  // Resource estimates that descriptors declare, per task (before anything runs).
  const estimateIssues = new Map<string, StudyIssue>();
  for (const task of tasks) {
    const index = systemNames.indexOf(task.system.name);
    const estimate = systemDescriptors[index]!.estimate?.(task.system.params);
    if (
      estimate?.bytes === undefined ||
      estimate.bytes <= STUDY_LIMITS.maxTaskBytes ||
      estimateIssues.has(task.system.name)
    )
      continue;
    const own = sweep.filter((a) => a.target.kind === 'system' && a.target.name === task.system.name);
    const point = own
      .map((a) => `${a.path} = ${renderValue(getAt(task.system.params, a.target.paramPath))}`)
      .join(', ');
    const path: PathSegment[] = ['systems', index, 'params'];
    estimateIssues.set(task.system.name, {
      file,
      path: formatPath(path),
      ...source.locate(path),
      context: `system ${task.system.use}`,
      expected: `a configuration that needs at most ${formatBytes(STUDY_LIMITS.maxTaskBytes)} of memory per task`,
      given: `about ${formatBytes(estimate.bytes)}${estimate.what ? ` (${estimate.what})` : ''}${point ? ` at ${point}` : ''}`,
      hint: 'use a smaller lattice, fewer samples or fewer stored configurations',
    });
  }
  if (estimateIssues.size > 0) throw new StudyValidationError([...estimateIssues.values()]);

  // Requirements, for every task's concrete configurations.
  for (const task of tasks) {
    const system = registries.systems.get(task.system.use);
    const capabilities = system.provides(task.system.params);
    for (const probe of task.probes) {
      const index = probes.findIndex((p) => p.name === probe.name);
      const missing = unmetRequirements(registries.probes.get(probe.use).requires(probe.params), capabilities);
      if (missing.length > 0) {
        const path: PathSegment[] = ['probes', index, 'use'];
        throw new RequirementError(probe.use, `${task.system.name} (${task.system.use})`, missing, {
          file,
          path: formatPath(path),
          ...source.locate(path),
        });
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

const count = (n: number) => n.toLocaleString('en-US');

/** Bytes in binary units for messages (`4 GiB`, `1.6 TiB`). */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : Number(value.toPrecision(value >= 100 ? 3 : 2))} ${units[unit]}`;
}

/**
 * Expands sweeps and replicates into tasks. Points that give a system the same parameters share one
 * task (the system runs once; every probe configuration is attached to it). A point whose parameters fail
 * their schema throws a StudyValidationError (resolveStudy reports every such point with its location first).
 */
export function expandTasks(study: ResolvedStudy, registries: Registries): Task[] {
  return expandTasksWith(study, registries, (kind, index, point, zodIssues) => {
    const prefix: PathSegment[] = [kind === 'system' ? 'systems' : 'probes', index, 'params'];
    throw new StudyValidationError(
      zodIssues.map((z) => ({
        file: study.file,
        path: formatPath([...prefix, ...(z.path as PathSegment[])]),
        expected: z.message.replace(/^expected /i, ''),
        given: `sweep point ${renderValue(point)}`,
      })),
    );
  });
}

type InvalidPoint = (
  kind: 'system' | 'probe',
  instanceIndex: number,
  point: Record<string, unknown>,
  issues: readonly z.core.$ZodIssue[],
) => void;

function expandTasksWith(study: ResolvedStudy, registries: Registries, onInvalid: InvalidPoint): Task[] {
  const parse = <T>(
    descriptor: { paramsSchema: z.ZodType<T> },
    value: unknown,
    kind: 'system' | 'probe',
    index: number,
    point: Record<string, unknown>,
  ): T | undefined => {
    const result = descriptor.paramsSchema.safeParse(value ?? {});
    if (result.success) return result.data;
    onInvalid(kind, index, point, result.error.issues);
    return undefined;
  };
  const apply = (kind: 'system' | 'probe', instance: ResolvedInstance, point: Record<string, unknown>) =>
    study.sweep
      .filter((a) => a.target.kind === kind && a.target.name === instance.name)
      .reduce<unknown>((acc, a) => setAt(acc, a.target.paramPath, point[a.path]), instance.given) as Record<
      string,
      unknown
    >;

  const tasks: Task[] = [];
  const byKey = new Map<
    string,
    { system: Task['system']; probes: Map<string, TaskProbe & { points: Record<string, unknown>[] }> }
  >();
  const order: string[] = [];
  for (const point of sweepPoints(study)) {
    for (const [systemIndex, system] of study.systems.entries()) {
      const params = parse(
        registries.systems.get(system.use),
        apply('system', system, point),
        'system',
        systemIndex,
        point,
      ) as Record<string, unknown> | undefined;
      if (params === undefined) continue;
      const key = `${system.name}:${canonicalJson(params)}`;
      let entry = byKey.get(key);
      if (!entry) {
        entry = { system: { name: system.name, use: system.use, params }, probes: new Map() };
        byKey.set(key, entry);
        order.push(key);
      }
      for (const [probeIndex, probe] of study.probes.entries()) {
        if (!probe.systems.includes(system.name)) continue;
        const probeParams = parse(
          registries.probes.get(probe.use),
          apply('probe', probe, point),
          'probe',
          probeIndex,
          point,
        ) as Record<string, unknown> | undefined;
        if (probeParams === undefined) continue;
        const probeKey = `${probe.name}:${canonicalJson(probeParams)}`;
        const relevant = Object.fromEntries(
          Object.entries(point).filter(([path]) => {
            const axis = study.sweep.find((a) => a.path === path)!;
            return axis.target.name === (axis.target.kind === 'system' ? system.name : probe.name);
          }),
        );
        const existing = entry.probes.get(probeKey);
        if (existing) {
          if (!existing.points.some((p) => canonicalJson(p) === canonicalJson(relevant)))
            existing.points.push(relevant);
        } else
          entry.probes.set(probeKey, { name: probe.name, use: probe.use, params: probeParams, points: [relevant] });
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

/** Top-level keys a profile may set directly. */
const PROFILE_TOP_LEVEL_KEYS: readonly string[] = ['seed', 'replicates', 'backend', 'description', 'unit', 'report'];

/** Names of the profiles a parsed study declares (empty when it has none or is malformed). */
export function studyProfiles(source: StudySource): string[] {
  const raw = source.raw as Record<string, unknown> | null;
  const profiles = raw && typeof raw === 'object' && !Array.isArray(raw) ? raw['profiles'] : undefined;
  return profiles && typeof profiles === 'object' && !Array.isArray(profiles) ? Object.keys(profiles) : [];
}

/**
 * The study with profile `profileName` applied: its `set` values replace the study's own (instances found by name,
 * as in sweep paths), its `sweep` axes are added or replace the study's, the name becomes `<name>-<profile>` (so
 * results go to their own folder) and `profiles` is dropped. Errors about values the profile set point at the
 * profile's entry in the file. Throws a StudyValidationError naming the file and the path when the profile or one
 * of its paths does not exist.
 */
export function applyStudyProfile(source: StudySource, profileName: string): StudySource {
  const { file } = source;
  const raw = source.raw;
  const fail = (path: readonly PathSegment[], expected: string, given: string): never => {
    throw new StudyValidationError([{ file, path: formatPath(path), ...source.locate(path), expected, given }]);
  };
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return fail([], 'a study (a map)', typeof raw);
  const study = structuredClone(raw) as Record<string, unknown>;
  const names = studyProfiles(source);
  const profile = (study['profiles'] as Record<string, unknown> | undefined)?.[profileName];
  if (!names.includes(profileName) || !profile || typeof profile !== 'object' || Array.isArray(profile)) {
    return fail(
      ['profiles'],
      names.length > 0 ? `a profile of this study (${names.join(', ')})` : 'a study with `profiles:`',
      `--profile '${profileName}'`,
    );
  }
  const { set = {}, sweep = {} } = profile as { set?: Record<string, unknown>; sweep?: Record<string, unknown> };
  /** Paths in the new document (as segments) that came from the profile → where in the file they were written. */
  const moved: { readonly prefix: PathSegment[]; readonly from: PathSegment[] }[] = [];
  const instanceIndex = (kind: 'systems' | 'probes', ref: PathSegment, where: PathSegment[]): number => {
    const list = study[kind];
    if (!Array.isArray(list)) return fail([kind], `a list of ${kind}`, typeof list);
    const index =
      typeof ref === 'number'
        ? ref
        : list.findIndex((item) => item && typeof item === 'object' && ((item.name ?? item.use) as unknown) === ref);
    if (index < 0 || index >= list.length) {
      const known = list.map((item) => String(item?.name ?? item?.use)).join(', ');
      return fail(where, `an existing ${kind.slice(0, -1)} (${known})`, `'${String(ref)}'`);
    }
    return index;
  };
  for (const [key, value] of Object.entries(set && typeof set === 'object' ? set : {})) {
    const where: PathSegment[] = ['profiles', profileName, 'set', key];
    const segments = parsePath(key);
    if (segments && segments.length === 1 && PROFILE_TOP_LEVEL_KEYS.includes(String(segments[0]))) {
      study[String(segments[0])] = value;
      moved.push({ prefix: [segments[0]!], from: where });
      continue;
    }
    const kind = segments?.[0];
    if (
      !segments ||
      (kind !== 'systems' && kind !== 'probes') ||
      segments[2] !== 'params' ||
      segments.length < 4 ||
      segments.some((segment) => typeof segment === 'string' && FORBIDDEN_KEYS.has(segment))
    ) {
      return fail(
        where,
        `'systems.<name>.params.<key>', 'probes.<name>.params.<key>' or one of ${PROFILE_TOP_LEVEL_KEYS.join(', ')}`,
        `'${key}'`,
      );
    }
    const index = instanceIndex(kind, segments[1]!, where);
    const instance = (study[kind] as Record<string, unknown>[])[index]!;
    const params = (instance['params'] ?? {}) as Record<string, unknown>;
    instance['params'] = setAt(params, segments.slice(3), value);
    moved.push({ prefix: [kind, index, 'params', ...segments.slice(3)], from: where });
  }
  const sweepEntries = Object.entries(sweep && typeof sweep === 'object' ? sweep : {});
  if (sweepEntries.length > 0) {
    const own = study['sweep'];
    const merged: Record<string, unknown> = own && typeof own === 'object' && !Array.isArray(own) ? { ...own } : {};
    for (const [key, values] of sweepEntries) {
      merged[key] = values;
      moved.push({ prefix: ['sweep', key], from: ['profiles', profileName, 'sweep', key] });
    }
    study['sweep'] = merged;
  }
  delete study['profiles'];
  study['name'] = `${String(study['name'])}-${profileName}`;
  study['profile'] = profileName;
  const origin = (path: readonly PathSegment[]): readonly PathSegment[] => {
    for (const { prefix, from } of moved) {
      if (prefix.length <= path.length && prefix.every((segment, i) => segment === path[i]))
        return [...from, ...path.slice(prefix.length)];
    }
    return path;
  };
  return {
    file,
    raw: study,
    locate: (path) => source.locate(origin(path)),
    locateKey: (path) => (source.locateKey ?? source.locate)(origin(path)),
  };
}
