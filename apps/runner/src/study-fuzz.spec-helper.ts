import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { parse, stringify } from 'yaml';
import {
  EntroscopeError,
  STUDY_LIMITS,
  expandTasks,
  parseStudyText,
  resolveStudy,
  type Registries,
} from '@entroscope/core';

/**
 * Generators of bad (and good) study files for the property-based fuzz test of parser, validator and task
 * expansion: mutations of every shipped study (values replaced by type confusions, huge and non-finite
 * numbers, deep nesting; keys removed, misspelled or prototype keys added; sweeps added over real and
 * made-up parameters, up to millions of points), and text-level damage (truncation, alias bombs, duplicate
 * keys, stray characters). Used by study-fuzz.spec.ts (a few seconds in `npm test`) and its long twin.
 */

export const FUZZ_FILE = 'fuzz-study.yaml';

const studiesDir = path.resolve(__dirname, '..', '..', '..', 'studies');

export function shippedStudies(): { file: string; text: string; raw: Record<string, unknown> }[] {
  return fs
    .readdirSync(studiesDir)
    .filter((f) => /\.(ya?ml|json)$/.test(f))
    .sort()
    .map((f) => {
      const text = fs.readFileSync(path.join(studiesDir, f), 'utf8');
      return { file: f, text, raw: parse(text) as Record<string, unknown> };
    });
}

/** Values that break types and ranges. */
const nastyValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    Number.NaN,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    1e308,
    -1e308,
    2 ** 53 + 2,
    -0,
    5e-324,
    0,
    -1,
    1.5,
    1e9,
    4096,
    100_000,
  ),
  fc.double(),
  fc.integer(),
  fc.string({ maxLength: 20 }),
  fc.constantFrom(
    '',
    'NaN',
    'Infinity',
    '__proto__',
    'constructor',
    'auto',
    'exact',
    'plug-in-blocks',
    'tanh',
    'wolff',
    'A',
    'B',
  ),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.oneof(fc.integer(), fc.string({ maxLength: 5 })), { maxLength: 5 }),
  fc.dictionary(
    fc.constantFrom('use', 'K', 'L', 'count', 'x', '__proto__', 'constructor'),
    fc.oneof(fc.integer(), fc.string({ maxLength: 5 })),
    { maxKeys: 3 },
  ),
  fc.integer({ min: 1, max: 300 }).map((depth) => {
    let value: unknown = 1;
    for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { a: value };
    return value;
  }),
);

/** Every path (list of keys) to a value inside `value`. */
function pathsOf(
  value: unknown,
  prefix: (string | number)[] = [],
  out: (string | number)[][] = [],
): (string | number)[][] {
  out.push(prefix);
  if (Array.isArray(value)) value.forEach((v, i) => pathsOf(v, [...prefix, i], out));
  else if (value !== null && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) pathsOf(v, [...prefix, k], out);
  return out;
}

/** Dotted parameter paths of the study's instances (what a sweep may target), plus made-up ones. */
function sweepPathsOf(raw: Record<string, unknown>): string[] {
  const paths: string[] = [];
  for (const kind of ['systems', 'probes'] as const) {
    const list = (raw[kind] as { name?: string; use: string; params?: unknown }[] | undefined) ?? [];
    list.forEach((instance, i) => {
      const name = instance?.name ?? instance?.use ?? `x${i}`;
      for (const p of pathsOf(instance?.params ?? {}).slice(1)) {
        if (p.every((s) => typeof s === 'string')) paths.push(`${kind}.${name}.params.${p.join('.')}`);
      }
      paths.push(
        `${kind}.${name}.params.typo`,
        `${kind}[${i}].params.constructor`,
        `${kind}.${name}.params.__proto__`,
        `${kind}.nobody.params.K`,
      );
    });
  }
  return paths;
}

function clone<T>(value: T): T {
  return structuredClone(value);
}

/** The object or array at `keys` (earlier mutations may have removed it: then undefined). */
function nodeAt(root: unknown, keys: (string | number)[]): Record<string | number, unknown> | undefined {
  let node: unknown = root;
  for (const key of keys) {
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, key)) return undefined;
    node = (node as Record<string | number, unknown>)[key];
  }
  return node !== null && typeof node === 'object' ? (node as Record<string | number, unknown>) : undefined;
}

function setPath(root: unknown, keys: (string | number)[], value: unknown): unknown {
  if (keys.length === 0) return value;
  const node = nodeAt(root, keys.slice(0, -1));
  if (node)
    Object.defineProperty(node, keys[keys.length - 1]!, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  return root;
}

function deletePath(root: unknown, keys: (string | number)[]): unknown {
  if (keys.length === 0) return {};
  const node = nodeAt(root, keys.slice(0, -1));
  if (Array.isArray(node)) node.splice(keys[keys.length - 1] as number, 1);
  else if (node) delete node[keys[keys.length - 1]!];
  return root;
}

type Mutation = (raw: Record<string, unknown>) => unknown;

/** One structural mutation of a parsed study. */
function mutation(raw: Record<string, unknown>): fc.Arbitrary<Mutation> {
  const paths = pathsOf(raw);
  const sweepPaths = sweepPathsOf(raw);
  const anyPath = fc.constantFrom(...paths);
  return fc.oneof(
    fc.tuple(anyPath, nastyValue).map(
      ([p, v]): Mutation =>
        (r) =>
          setPath(r, p, v),
    ),
    anyPath.map(
      (p): Mutation =>
        (r) =>
          deletePath(r, p),
    ),
    fc
      .tuple(
        anyPath,
        fc.constantFrom('typo', 'Kk', '__proto__', 'constructor', 'prototype', 'toString', 'valueOf'),
        nastyValue,
      )
      .map(([p, key, v]): Mutation => (r) => {
        const node = nodeAt(r, p);
        if (node && !Array.isArray(node))
          Object.defineProperty(node, key, { value: v, enumerable: true, writable: true, configurable: true });
        return r;
      }),
    // Sweeps: real and made-up paths, values taken from the nasty set or plain numbers, up to huge grids.
    fc
      .array(
        fc.tuple(
          fc.constantFrom(...sweepPaths),
          fc.array(fc.oneof(nastyValue, fc.integer({ min: 0, max: 64 }), fc.double({ min: 0, max: 3, noNaN: true })), {
            minLength: 1,
            maxLength: 40,
          }),
        ),
        { minLength: 1, maxLength: 6 },
      )
      .map((axes): Mutation => (r) => ({
        ...(r !== null && typeof r === 'object' ? r : {}),
        sweep: {
          ...(r?.['sweep'] !== null && typeof r?.['sweep'] === 'object' ? (r['sweep'] as object) : {}),
          ...Object.fromEntries(axes),
        },
      })),
    fc
      .constantFrom<unknown>(10_000, 1e9, 0, -1, 1.5, Number.NaN)
      .map((n): Mutation => (r) => ({ ...(r !== null && typeof r === 'object' ? r : {}), replicates: n })),
    // Sizes that cannot fit: the biggest Monte Carlo lattice with the most configurations.
    fc.constant<Mutation>((r) => {
      const systems = r['systems'];
      for (const s of Array.isArray(systems) ? (systems as { use?: unknown; params?: unknown }[]) : []) {
        if (s?.use === 'ising-2d' && s.params !== null && typeof s.params === 'object')
          (s.params as Record<string, unknown>)['monteCarlo'] = { L: 4096, configurations: 100_000 };
      }
      return r;
    }),
  );
}

/** YAML whose aliases expand exponentially (a billion-laughs file). */
const aliasBomb = fc
  .record({ width: fc.integer({ min: 2, max: 12 }), depth: fc.integer({ min: 2, max: 12 }), prefix: fc.boolean() })
  .map(({ width, depth, prefix }) => {
    const lines = [`a0: &a0 [${Array(width).fill('"lol"').join(', ')}]`];
    for (let i = 1; i < depth; i++)
      lines.push(
        `a${i}: &a${i} [${Array(width)
          .fill(`*a${i - 1}`)
          .join(', ')}]`,
      );
    return prefix
      ? `${lines.join('\n')}\nname: bomb\n`
      : `name: bomb\nsystems:\n  - use: ising-1d\n    params: { K: *a${depth - 1} }\n${lines.map((l) => `# ${l}`).join('\n')}\nx: &x [${Array(width).fill('1').join(', ')}]\nprobes: [{ use: relative-entropy, params: { estimator: *x } }]\n`;
  });

/** Damage to the text: cut it, insert characters, duplicate a line. */
function textDamage(text: string): fc.Arbitrary<string> {
  const lines = text.split('\n');
  return fc.oneof(
    fc.integer({ min: 0, max: text.length }).map((n) => text.slice(0, n)),
    fc
      .tuple(
        fc.integer({ min: 0, max: text.length }),
        fc.constantFrom(
          '{',
          '[',
          ':',
          '&a ',
          '*a',
          '"',
          "'",
          '\t',
          '- ',
          '!!binary ',
          '%YAML 1.2\n',
          '---\n',
          '\0',
          '\u2028',
        ),
      )
      .map(([n, s]) => text.slice(0, n) + s + text.slice(n)),
    fc
      .integer({ min: 0, max: Math.max(lines.length - 1, 0) })
      .map((i) => [...lines.slice(0, i + 1), lines[i]!, ...lines.slice(i + 1)].join('\n')),
  );
}

/** A study text to validate: a mutated shipped study, a damaged one, or an alias bomb. */
export function studyText(): fc.Arbitrary<string> {
  const studies = shippedStudies();
  const mutated = fc
    .constantFrom(...studies)
    .chain((s) =>
      fc
        .array(mutation(s.raw), { minLength: 1, maxLength: 4 })
        .map((ms) => ms.reduce<unknown>((r, m) => m(r as Record<string, unknown>), clone(s.raw))),
    )
    .map((raw) => {
      try {
        return stringify(raw, { aliasDuplicateObjects: false });
      } catch {
        return JSON.stringify(raw) ?? 'null';
      }
    });
  const damaged = fc.constantFrom(...studies).chain((s) => textDamage(s.text));
  return fc.oneof(
    { arbitrary: mutated, weight: 6 },
    { arbitrary: damaged, weight: 3 },
    { arbitrary: aliasBomb, weight: 1 },
  );
}

/** What validating one text gave. */
export type FuzzOutcome =
  | { readonly ok: true; readonly tasks: number; readonly ms: number }
  | { readonly ok: false; readonly error: unknown; readonly ms: number };

/** Parses, validates and expands a study text as `entroscope validate` and `run` do. */
export function validateText(text: string, registries: Registries): FuzzOutcome {
  const started = performance.now();
  try {
    const study = resolveStudy(parseStudyText(text, FUZZ_FILE), registries);
    const tasks = expandTasks(study, registries).length;
    return { ok: true, tasks, ms: performance.now() - started };
  } catch (error) {
    return { ok: false, error, ms: performance.now() - started };
  }
}

/**
 * The property: an input either validates (into at most the task limit) or fails with an EntroscopeError whose
 * message names the file and a place in it; either way within `maxMs`. Returns a reason when it does not hold.
 */
export function violation(outcome: FuzzOutcome, maxMs: number): string | undefined {
  if (outcome.ms > maxMs) return `took ${outcome.ms.toFixed(0)} ms (limit ${maxMs} ms)`;
  if (outcome.ok) return outcome.tasks <= STUDY_LIMITS.maxTasks ? undefined : `expanded into ${outcome.tasks} tasks`;
  const error = outcome.error;
  if (!(error instanceof EntroscopeError))
    return `threw ${error instanceof Error ? `${error.name}: ${error.message}\n${error.stack}` : String(error)}`;
  if (!error.message.includes(FUZZ_FILE)) return `error without location: ${error.message}`;
  if (/\[object Object\]|undefined(?! \(|\w)/.test(error.message)) return `unclear message: ${error.message}`;
  return undefined;
}
