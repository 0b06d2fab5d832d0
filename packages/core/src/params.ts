import type { z } from 'zod';
import { renderValue, type StudyIssue } from './errors';

export type PathSegment = string | number;

/** Renders a path like `systems[0].params.K`. */
export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? segment : `.${segment}`;
  }
  return out || '(root)';
}

/** Parses `systems.chain.params.K` or `systems[0].params.K` into segments. */
export function parsePath(text: string): PathSegment[] | null {
  const segments: PathSegment[] = [];
  const pattern = /([^.[\]]+)|\[(\d+)\]/g;
  let consumed = 0;
  for (const match of text.matchAll(pattern)) {
    const between = text.slice(consumed, match.index);
    if (between !== '' && between !== '.') return null;
    segments.push(match[2] !== undefined ? Number(match[2]) : match[1]!);
    consumed = match.index! + match[0].length;
  }
  return consumed === text.length && segments.length > 0 ? segments : null;
}

export function getAt(value: unknown, path: readonly PathSegment[]): unknown {
  let current: unknown = value;
  for (const segment of path) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, segment)) return undefined;
    current = (current as Record<string | number, unknown>)[segment];
  }
  return current;
}

/**
 * Returns a copy of `value` with `path` set to `replacement` (creating objects on the way). Own properties only:
 * a segment such as `__proto__` becomes a plain own key, never the prototype.
 */
export function setAt(value: unknown, path: readonly PathSegment[], replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const [head, ...rest] = path;
  const base: Record<string | number, unknown> = Array.isArray(value)
    ? ([...value] as never)
    : value !== null && typeof value === 'object'
      ? { ...(value as object) }
      : {};
  Object.defineProperty(base, head!, {
    value: setAt(getAt(base, [head!]), rest, replacement),
    enumerable: true,
    writable: true,
    configurable: true,
  });
  return base;
}

/** Canonical JSON (sorted keys) for hashing and identity of parameter sets. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.keys(value as object)
    .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
  return `{${entries.join(',')}}`;
}

/** Keys a zod object schema accepts at `path` (through optional/default/nullable wrappers). */
export function knownKeysAt(schema: z.ZodType, path: readonly PathSegment[], value: unknown): string[] | undefined {
  let current: any = schema;
  let currentValue: unknown = value;
  const unwrap = () => {
    for (;;) {
      const type = current?._zod?.def?.type;
      if (
        type === 'optional' ||
        type === 'default' ||
        type === 'nullable' ||
        type === 'prefault' ||
        type === 'readonly'
      )
        current = current._zod.def.innerType;
      else if (type === 'pipe') current = current._zod.def.in;
      else if (type === 'union') {
        // Discriminated unions: pick the option whose literal discriminator matches the value.
        const options: any[] = current._zod.def.options;
        const match = options.find((o) => {
          const shape = o?._zod?.def?.shape;
          if (!shape || !currentValue || typeof currentValue !== 'object') return false;
          return Object.entries(shape).some(
            ([k, s]: [string, any]) =>
              s?._zod?.def?.type === 'literal' && s._zod.def.values.includes((currentValue as any)[k]),
          );
        });
        if (!match) return;
        current = match;
      } else return;
    }
  };
  unwrap();
  for (const segment of path) {
    if (current?._zod?.def?.type !== 'object') return undefined;
    current = current._zod.def.shape[segment as string];
    currentValue = (currentValue as any)?.[segment];
    unwrap();
  }
  return current?._zod?.def?.type === 'object' ? Object.keys(current._zod.def.shape) : undefined;
}

/**
 * Validates `value` against `schema`, returning the parsed value or StudyIssues whose paths are prefixed
 * with `prefix` (e.g. `systems[0].params`).
 */
export function validateParams<T>(
  schema: z.ZodType<T>,
  value: unknown,
  prefix: readonly PathSegment[],
  context?: string,
): { ok: true; value: T } | { ok: false; issues: StudyIssue[] } {
  const result = schema.safeParse(value ?? {});
  if (result.success) return { ok: true, value: result.data };
  const issues: StudyIssue[] = result.error.issues.map((issue) => {
    const path = [...prefix, ...(issue.path as PathSegment[])];
    if (issue.code === 'unrecognized_keys') {
      const known = knownKeysAt(schema, issue.path as PathSegment[], value ?? {});
      return {
        path: formatPath(path),
        expected: known ? `only known keys (${known.join(', ')})` : 'no unknown keys',
        given: `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `'${k}'`).join(', ')}`,
        context,
        hint: 'remove or rename it; see `entroscope list`',
      };
    }
    const message = issue.message;
    const at = message.toLowerCase().indexOf('expected ');
    const expected = (at >= 0 ? message.slice(at + 'expected '.length) : message).replace(/, received \w+$/, '');
    const given = getAt(value ?? {}, issue.path as PathSegment[]);
    return { path: formatPath(path), expected, given: renderValue(given), context };
  });
  return { ok: false, issues };
}
