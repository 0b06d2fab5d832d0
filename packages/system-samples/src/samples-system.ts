import * as path from 'node:path';
import { Observable } from 'rxjs';
import {
  z,
  type Observation,
  type ObservationVariable,
  type RunContext,
  type System,
  type SystemDescriptor,
} from '@entroscope/core';
import { ArrayFileError, readArrayFile, readJsonLines, readNpz, type LoadedArray } from './array-files';

/**
 * The user's own arrays as a system: activations exported from PyTorch or JAX (one array per layer, and per epoch),
 * inputs and labels, read from NumPy `.npy`/`.npz`, CSV or JSON lines, so that every probe runs on them with no
 * code. Sites and variables are named either by the file layout — in a `.npz`, members `layer_<ℓ>` (or
 * `layer_<ℓ>_epoch_<e>`, `…_step_<s>`) are sites, every other member a variable attached to every site — or by a
 * small manifest in the study (`sites: [...]`, `variables: {...}`). Arrays are referenced as `file.npy`,
 * `file.csv`, `archive.npz#member`, `lines.jsonl#key`, or a bare member name of `source`; relative paths resolve
 * against the directory of `source` (or the study's working directory).
 */
const reference = z.string().min(1);

export const samplesParamsSchema = z
  .object({
    source: z
      .string()
      .min(1)
      .optional()
      .describe(
        'A .npz archive (or .jsonl file) whose members are sites and variables by name, and the base for relative paths',
      ),
    sites: z
      .array(
        z
          .object({
            array: reference.describe(
              'Array of this site: file.npy, file.csv, archive.npz#member, lines.jsonl#key, or a member of source',
            ),
            index: z.number().int().min(0).optional().describe('Site index (default: position in the list)'),
            label: z.string().optional(),
            time: z
              .object({ axis: z.string().min(1), index: z.number().int().min(0) })
              .strict()
              .optional()
              .describe('Training time of this site (epoch or step)'),
          })
          .strict(),
      )
      .min(1)
      .optional()
      .describe('Sites in order (default: the members layer_<ℓ>[_epoch_<e>] of source)'),
    variables: z
      .record(z.string(), reference)
      .optional()
      .describe(
        'Arrays attached to every site by name (default: the other members of source), e.g. { input: x.npy, label: y.npy }',
      ),
    axis: z.string().min(1).default('layer').describe('Site axis name'),
    kind: z
      .string()
      .min(1)
      .default('activations')
      .describe("Data kind of the sites ('activations', 'spins', 'samples', …)"),
    rows: z.number().int().min(1).optional().describe('Use only the first rows (samples) of every array'),
  })
  .strict()
  .refine((p) => p.source !== undefined || p.sites !== undefined, { message: 'give a source archive or a sites list' });
export type SamplesParams = z.infer<typeof samplesParamsSchema>;

const SITE_NAME = /^(?:layer|site)[_-]?(\d+)(?:[_-](epoch|step)[_-]?(\d+))?$/;

interface LoadedSite {
  readonly array: LoadedArray;
  readonly name: string;
  readonly index: number;
  readonly label?: string;
  readonly time?: { axis: string; index: number };
}

/** Reads every array the parameters name and checks that they share the sample axis. */
export function loadSamples(
  params: SamplesParams,
  cwd = process.cwd(),
): { sites: LoadedSite[]; variables: Map<string, LoadedArray> } {
  const base = params.source ? path.dirname(path.resolve(cwd, params.source)) : cwd;
  const archives = new Map<string, Map<string, LoadedArray>>();
  const archive = (file: string) => {
    let a = archives.get(file);
    if (!a) archives.set(file, (a = file.endsWith('.npz') ? readNpz(file) : readJsonLines(file)));
    return a;
  };
  const source = params.source ? path.resolve(cwd, params.source) : undefined;
  const resolve = (ref: string, what: string): LoadedArray => {
    const hash = ref.lastIndexOf('#');
    if (hash > 0) {
      const file = path.resolve(base, ref.slice(0, hash));
      const member = ref.slice(hash + 1);
      const a = archive(file).get(member);
      if (!a)
        throw new ArrayFileError(
          file,
          what,
          `a member '${member}'`,
          `members ${[...archive(file).keys()].join(', ') || '(none)'}`,
        );
      return a;
    }
    if (/\.(npy|csv|jsonl|ndjson)$/.test(ref)) return readArrayFile(path.resolve(base, ref));
    if (!source)
      throw new ArrayFileError(
        ref,
        what,
        'a file (.npy, .csv, .npz#member, .jsonl#key) or a member of `source`',
        `'${ref}' with no source`,
      );
    const a = archive(source).get(ref);
    if (!a)
      throw new ArrayFileError(source, what, `a member '${ref}'`, `members ${[...archive(source).keys()].join(', ')}`);
    return a;
  };
  let sites: LoadedSite[];
  const variables = new Map<string, LoadedArray>();
  if (params.sites) {
    sites = params.sites.map((s, i) => ({
      array: resolve(s.array, `sites[${i}]`),
      name: s.array,
      index: s.index ?? i,
      ...(s.label && { label: s.label }),
      ...(s.time && { time: s.time }),
    }));
  } else {
    const members = archive(source!);
    sites = [];
    for (const [name, array] of members) {
      const m = SITE_NAME.exec(name);
      if (m)
        sites.push({ array, name, index: Number(m[1]), ...(m[2] && { time: { axis: m[2], index: Number(m[3]) } }) });
      else if (!params.variables) variables.set(name, array);
    }
    if (sites.length === 0)
      throw new ArrayFileError(
        source!,
        '',
        'members named layer_<ℓ> (or layer_<ℓ>_epoch_<e>) for the sites, or a `sites` list in the study',
        `members ${[...members.keys()].join(', ')}`,
      );
    sites.sort((a, b) => (a.time?.index ?? 0) - (b.time?.index ?? 0) || a.index - b.index);
  }
  for (const [name, ref] of Object.entries(params.variables ?? {}))
    variables.set(name, resolve(ref, `variables.${name}`));
  const rows = sites[0]!.array.shape[0];
  const check = (what: string, a: LoadedArray) => {
    if (a.shape.length === 0)
      throw new ArrayFileError(what, '', 'an array with a sample axis (at least 1-D)', 'a scalar');
    if (a.shape[0] !== rows)
      throw new ArrayFileError(
        what,
        '',
        `${rows} rows (samples) as ${sites[0]!.name}`,
        `${a.shape[0]} (shape ${a.shape.join('×')})`,
        'every site and variable must hold the same samples in the same order',
      );
  };
  for (const s of sites) check(s.name, s.array);
  for (const [name, a] of variables) check(`variable '${name}'`, a);
  const seen = new Set<string>();
  for (const s of sites) {
    const key = `${s.time ? `${s.time.axis}:${s.time.index}` : ''}/${s.index}`;
    if (seen.has(key))
      throw new ArrayFileError(
        s.name,
        '',
        'one array per site (and training time)',
        `a second array for site ${s.index}${s.time ? ` at ${s.time.axis} ${s.time.index}` : ''}`,
      );
    seen.add(key);
  }
  return { sites, variables };
}

function firstRows(a: LoadedArray, rows: number | undefined): { data: LoadedArray['data']; shape: readonly number[] } {
  if (rows === undefined || rows >= a.shape[0]!) return { data: a.data, shape: a.shape };
  const per = a.shape.slice(1).reduce((x, y) => x * y, 1);
  return { data: a.data.subarray(0, rows * per), shape: [rows, ...a.shape.slice(1)] };
}

export class SamplesSystem implements System {
  constructor(
    private readonly params: SamplesParams,
    private readonly context: RunContext,
  ) {}

  observe(): Observable<Observation> {
    return new Observable<Observation>((subscriber) => {
      try {
        const { sites, variables } = loadSamples(this.params);
        const vars: Record<string, ObservationVariable> = {};
        for (const [name, a] of variables)
          vars[name] = { ...firstRows(a, this.params.rows), description: `${name} (${a.dtype})` };
        for (const [i, s] of sites.entries()) {
          if (this.context.signal.aborted) {
            subscriber.error(this.context.signal.reason ?? new Error('aborted'));
            return;
          }
          if (subscriber.closed) return;
          const { data, shape } = firstRows(s.array, this.params.rows);
          subscriber.next({
            system: this.context.name,
            site: {
              axis: this.params.axis,
              index: s.index,
              label: s.label ?? s.name,
              ...(s.time && { time: { ...s.time, label: `${s.time.axis} ${s.time.index}` } }),
            },
            kind: this.params.kind,
            data,
            shape,
            meta: { array: s.name, dtype: s.array.dtype, ...(s.array.columns && { columns: [...s.array.columns] }) },
            variables: vars,
          });
          this.context.progress?.((i + 1) / sites.length, s.name);
        }
        subscriber.complete();
      } catch (err) {
        subscriber.error(err);
      }
    });
  }
}

export const samplesDescriptor: SystemDescriptor<SamplesParams> = {
  id: 'samples',
  version: '1.0.0',
  summary:
    "The user's own arrays (NumPy .npy/.npz, CSV, JSON lines) as sites and named variables: activations per layer and epoch, inputs, labels",
  display: {
    name: 'Your own samples',
    parameters: {
      source: { name: 'source archive' },
      sites: { name: 'site arrays' },
      variables: { name: 'variables' },
      axis: { name: 'site axis' },
      kind: { name: 'data kind' },
      rows: { name: 'rows', symbol: 'N' },
    },
    // The site axis is the user's (default 'layer'); the common names get words and symbols.
    axes: {
      layer: { name: 'layer', symbol: 'ℓ' },
      site: { name: 'site', symbol: 'i' },
      epoch: { name: 'epoch', symbol: 't' },
      step: { name: 'step', symbol: 't' },
      time: { name: 'time', symbol: 't' },
      'rg-step': { name: 'RG step', symbol: 'n' },
    },
    values: { activations: 'activations', spins: 'spins', samples: 'samples' },
  },
  citation: 'NumPy .npy format (NEP 1); PKWARE zip APPNOTE',
  paramsSchema: samplesParamsSchema as unknown as z.ZodType<SamplesParams>,
  provides: (params) => ({ axes: [params.axis], kinds: [params.kind], exact: [] }),
  create: (params, context) => new SamplesSystem(params, context),
};
