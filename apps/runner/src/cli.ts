import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { MultiBar, Presets } from 'cli-progress';
import {
  ArgumentError,
  EntroscopeError,
  StudySyntaxError,
  StudyValidationError,
  UnknownIdError,
  RequirementError,
  z,
  type Registries,
} from '@entroscope/core';
import { resolveBackend } from './backend';
import { createRegistries } from './container';
import { ProgressClock, ProgressLog, formatDuration, formatRate } from './progress-output';
import { rewriteReport, writeComparison } from './report/compare';
import { displayLookup } from './report/labels';
import { runQueueWorker } from './queue/queue-worker';
import { loadStudy, profilesOf, runStudy, type NonFiniteValue } from './run-study';
import { studyJsonSchema } from './study-json-schema';

/** Exit codes: 0 ok, 1 the run failed, 2 invalid input (study, arguments), 130 interrupted. */
export const EXIT = { ok: 0, failed: 1, invalid: 2, interrupted: 130 } as const;

const isInputError = (e: unknown) =>
  e instanceof StudyValidationError ||
  e instanceof StudySyntaxError ||
  e instanceof UnknownIdError ||
  e instanceof RequirementError ||
  e instanceof ArgumentError ||
  (e instanceof EntroscopeError &&
    [
      'STUDY_MISSING',
      'OUTPUT_CONFLICT',
      'OUTPUT_DAMAGED',
      'OUTPUT_PATH',
      'OUTPUT_FOREIGN',
      'OUTPUT_LOCKED',
      'BACKEND_UNAVAILABLE',
      'BACKEND_UNKNOWN',
    ].includes(e.code));

/** A summary line for the non-finite values of a run (each is listed in study.resolved.json and the report). */
export function describeNonFinite(values: readonly NonFiniteValue[]): string {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v.value, (counts.get(v.value) ?? 0) + 1);
  const where = (v: NonFiniteValue) => {
    const swept = Object.entries(v.sweep).map(([k, x]) => `${k}=${JSON.stringify(x)}`);
    return `${v.probe} on ${v.system} at ${v.site.axis} ${v.site.index}${swept.length ? ` (${swept.join(', ')})` : ''}${v.replicate ? ` replicate ${v.replicate}` : ''}: ${v.field} ${v.value}`;
  };
  const shown = values.slice(0, 5).map((v) => `  - ${where(v)}`);
  if (values.length > 5) shown.push(`  - … ${values.length - 5} more`);
  return `${values.length} non-finite value(s) (${[...counts].map(([k, n]) => `${k}: ${n}`).join(', ')}); listed with site and parameters in study.resolved.json and the report:\n${shown.join('\n')}\n`;
}

function parsePositive(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError(`expected a positive integer, got '${value}'`);
  return n;
}

function parseSeed(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0)
    throw new InvalidArgumentError(`expected a non-negative integer, got '${value}'`);
  return n;
}

function typeOf(node: Record<string, any>): string {
  return node['enum']
    ? (node['enum'] as unknown[]).map((v) => JSON.stringify(v)).join('|')
    : node['const'] !== undefined
      ? JSON.stringify(node['const'])
      : (node['type'] ?? (node['oneOf'] || node['anyOf'] ? 'one of' : ''));
}

/** ' [≥ a, ≤ b]' from a JSON Schema node's bounds, or ''. */
function rangeOf(node: Record<string, any>): string {
  const range = [
    node['minimum'] !== undefined ? `≥ ${node['minimum']}` : '',
    node['maximum'] !== undefined && node['maximum'] < 1e15 ? `≤ ${node['maximum']}` : '',
  ]
    .filter(Boolean)
    .join(', ');
  return range ? ` [${range}]` : '';
}

/** Describes a zod schema's fields for `entroscope list` (from its JSON Schema). */
function describeParams(schema: z.ZodType, indent: string): string[] {
  const json = z.toJSONSchema(schema, { unrepresentable: 'any', io: 'input' }) as Record<string, any>;
  const lines: string[] = [];
  const walk = (node: Record<string, any>, prefix: string, depth: number) => {
    const properties = node['properties'] as Record<string, any> | undefined;
    if (properties) {
      const required = new Set<string>((node['required'] as string[]) ?? []);
      for (const [key, child] of Object.entries(properties)) {
        const type = typeOf(child);
        const range = rangeOf(child).slice(2, -1);
        const def =
          child.default !== undefined
            ? ` (default ${JSON.stringify(child.default)})`
            : required.has(key)
              ? ' (required)'
              : '';
        lines.push(
          `${indent}${'  '.repeat(depth)}${prefix}${key}: ${type}${range ? ` [${range}]` : ''}${def}${child.description ? ` — ${child.description}` : ''}`,
        );
        walk(child, '', depth + 1);
      }
    }
    for (const option of [...((node['oneOf'] as any[]) ?? []), ...((node['anyOf'] as any[]) ?? [])]) {
      // Discriminated-union options: a header naming the discriminator value, then the option's own fields.
      const [tagKey, tagSchema] =
        (Object.entries(option.properties ?? {}) as [string, any][]).find(([, p]) => p?.const !== undefined) ?? [];
      if (tagKey === undefined) {
        // An untagged option: a plain value (shown by type, range or constant) or an object (its fields).
        if (option.properties) {
          lines.push(`${indent}${'  '.repeat(depth)}| object${option.description ? ` — ${option.description}` : ''}`);
          walk(option, '', depth + 1);
        } else lines.push(`${indent}${'  '.repeat(depth)}| ${typeOf(option)}${rangeOf(option)}`);
        continue;
      }
      lines.push(`${indent}${'  '.repeat(depth)}| ${tagKey}: ${JSON.stringify(tagSchema.const)}`);
      walk(
        {
          ...option,
          properties: Object.fromEntries(Object.entries(option.properties ?? {}).filter(([k]) => k !== tagKey)),
        },
        '',
        depth + 1,
      );
    }
  };
  walk(json, '', 0);
  return lines;
}

export function listDescriptors(registries: Registries): string {
  const out: string[] = [];
  for (const [title, registry] of [
    ['Systems', registries.systems],
    ['Probes', registries.probes],
  ] as const) {
    out.push(`${title}:`);
    for (const d of registry.list()) {
      out.push(`  ${d.id} (v${d.version}) — ${d.summary}`);
      if (d.citation) out.push(`    cites: ${d.citation}`);
      out.push(...describeParams(d.paramsSchema, '    '));
      out.push('');
    }
  }
  return out.join('\n');
}

/**
 * The same reference as Markdown: docs/parameters.md is this text (`npm run docs:params` writes it; a runner spec
 * fails when the committed file differs, so the docs cannot fall behind the schemas).
 */
export function listDescriptorsMarkdown(registries: Registries): string {
  const out: string[] = [
    '# Parameter reference',
    '',
    'Every registered system and probe with its parameters, types, ranges, defaults and descriptions, as the study',
    "files take them. Generated from the plugins' schemas by `npx entroscope list --markdown` (`npm run docs:params`",
    'rewrites this file; `apps/runner/src/parameters-doc.spec.ts` fails when it is out of date). Science and',
    'measurements: the other files of docs/.',
    '',
  ];
  for (const [title, registry] of [
    ['Systems', registries.systems],
    ['Probes', registries.probes],
  ] as const) {
    out.push(`## ${title}`, '');
    for (const d of registry.list()) {
      out.push(`### \`${d.id}\` (v${d.version})`, '', d.summary, '');
      if (d.citation) out.push(`Cites: ${d.citation}`, '');
      const params = describeParams(d.paramsSchema, '');
      out.push(...(params.length ? ['```text', ...params, '```'] : ['No parameters.']), '');
    }
  }
  return out.join('\n');
}

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  isTty: boolean;
}

const defaultIo: CliIo = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  isTty: Boolean(process.stderr.isTTY),
};

/** Seconds between progress lines of a long task in a log (ENTROSCOPE_PROGRESS_INTERVAL, default 10). */
function progressInterval(): number {
  const seconds = Number(process.env['ENTROSCOPE_PROGRESS_INTERVAL'] ?? 10);
  return (Number.isFinite(seconds) && seconds > 0 ? seconds : 10) * 1000;
}

/** Runs the CLI; resolves to the exit code (never calls process.exit itself). */
export async function main(argv: readonly string[], io: CliIo = defaultIo, given?: Registries): Promise<number> {
  // With the plugins of plugins.ts, tasks run in a worker thread (which loads the same plugins); registries given
  // by the caller (tests with extra plugins) run tasks in this thread.
  const registries = given ?? createRegistries();
  let code: number = EXIT.ok;
  const program = new Command('entroscope')
    .description('Measure how information flows through physical and neural systems.')
    .version(
      (JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as { version: string }).version,
      '-V, --version',
    )
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });

  program
    .command('run')
    .description('run a study and write results, plots and report.html')
    .argument('<study>', 'study file (YAML or JSON)')
    .option('-o, --out <dir>', 'output folder (default: results/<study name>/)')
    .option('-s, --seed <n>', 'override the study seed', parseSeed)
    .option(
      '-b, --backend <id>',
      'override the backend: auto, cpu, gpujs:cpu, gpujs:webasm, gpujs:headlessgl, gpujs:webgpu',
    )
    .option('--fresh', 'discard results of a different earlier run in the output folder')
    .option('-p, --profile <name>', "run one of the study's named profiles (e.g. its paper-size grid)")
    .option(
      '-q, --queue <url>',
      'run the tasks as jobs on a Redis/BullMQ queue (redis://HOST:PORT), for `entroscope worker` processes on any machine',
    )
    .action(
      async (
        file: string,
        opts: { out?: string; seed?: number; backend?: string; fresh?: boolean; profile?: string; queue?: string },
      ) => {
        const study = loadStudy(file, registries, {
          ...(opts.seed !== undefined && { seed: opts.seed }),
          ...(opts.backend !== undefined && { backend: opts.backend }),
          ...(opts.profile !== undefined && { profile: opts.profile }),
        });
        const controller = new AbortController();
        const onSigint = () => {
          io.stderr(
            opts.queue !== undefined
              ? '\nInterrupted: the tasks stay on the queue (the workers go on); writing the files for the tasks collected so far. Ctrl-C again quits at once; running the same command again collects the rest.\n'
              : '\nInterrupted: the running task is stopped (it runs again on resume); writing the files for the tasks that are complete. Ctrl-C again quits at once; a re-run resumes.\n',
          );
          controller.abort(new EntroscopeError('INTERRUPTED', 'interrupted by the user'));
          process.once('SIGINT', () => process.exit(EXIT.interrupted));
        };
        process.once('SIGINT', onSigint);
        const bars = io.isTty
          ? new MultiBar(
              {
                format: ' {bar} {percentage}% | task {task}/{tasks} | {rate} | ETA {eta} | {message}',
                hideCursor: true,
                clearOnComplete: true,
                stream: process.stderr,
              },
              Presets.shades_classic,
            )
          : undefined;
        const bar = bars?.create(1000, 0, { task: 0, tasks: 0, rate: '', eta: '?', message: '' });
        const clock = new ProgressClock();
        const log = bars ? undefined : new ProgressLog((line) => io.stderr(line), progressInterval());
        log?.start();
        try {
          const summary = await runStudy(study, registries, {
            ...(opts.out !== undefined && { out: opts.out }),
            fresh: opts.fresh ?? false,
            signal: controller.signal,
            logger: {
              info: (m) => (bars ? bars.log(`${m}\n`) : io.stderr(`${m}\n`)),
              warn: (m) => (bars ? bars.log(`warning: ${m}\n`) : io.stderr(`warning: ${m}\n`)),
            },
            resolveBackend,
            isolation: given ? 'inline' : 'thread',
            ...(opts.queue !== undefined && { queue: opts.queue }),
            onProgress: (done, total, message) => {
              if (bar) {
                const timing = clock.update({ done, total, message });
                bar.update(Math.round((1000 * done) / Math.max(total, 1)), {
                  task: Math.min(Math.floor(done) + 1, total),
                  tasks: total,
                  rate: formatRate(timing.rate),
                  eta: timing.eta !== undefined ? formatDuration(timing.eta) : '?',
                  message,
                });
              } else log!.update({ done, total, message });
            },
          });
          bars?.stop();
          log?.stop();
          if (summary.nonFinite.length > 0) io.stderr(`warning: ${describeNonFinite(summary.nonFinite)}`);
          const status = summary.failures.length > 0 ? 'failed' : summary.interrupted ? 'interrupted' : 'done';
          io.stdout(
            `${status}: ${summary.records} measurements from ${summary.tasks} task(s)${summary.resumed ? ` (${summary.resumed} resumed from an earlier run)` : ''}${summary.failures.length ? `; ${summary.failures.length} task(s) failed` : ''}\n`,
          );
          io.stdout(`report: ${path.join(summary.outDir, 'report.html')}\n`);
          for (const failure of summary.failures) io.stderr(`error: ${failure.message}\n`);
          if (summary.failures.length > 0)
            io.stderr(
              `${summary.failures.length} task(s) failed; the others are in the results. A re-run retries only what is missing.\n`,
            );
          code = summary.failures.length > 0 ? EXIT.failed : summary.interrupted ? EXIT.interrupted : EXIT.ok;
        } finally {
          bars?.stop();
          log?.stop();
          process.removeListener('SIGINT', onSigint);
        }
      },
    );

  program
    .command('worker')
    .description(
      'run task jobs from a Redis/BullMQ queue for `entroscope run --queue`, on any machine with the same Entroscope version',
    )
    .requiredOption('-q, --queue <url>', 'the queue: redis://HOST:PORT')
    .option('-c, --concurrency <n>', 'jobs at once, each in its own thread (default 1)', parsePositive, 1)
    .action(async (opts: { queue: string; concurrency: number }) => {
      const controller = new AbortController();
      const onSignal = () => {
        io.stderr('stopping after the running jobs (Ctrl-C again quits at once: their jobs go to another worker)\n');
        controller.abort();
        process.once('SIGINT', () => process.exit(EXIT.interrupted));
      };
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      try {
        const result = await runQueueWorker({
          url: opts.queue,
          concurrency: opts.concurrency,
          log: (line) => io.stderr(`${line}\n`),
          signal: controller.signal,
        });
        io.stdout(
          `worker stopped: ${result.processed} task(s) done, ${result.failed} failed, ${result.refused} returned to the queue\n`,
        );
      } finally {
        process.removeListener('SIGINT', onSignal);
        process.removeListener('SIGTERM', onSignal);
      }
    });

  program
    .command('validate')
    .description(
      'check a study (ids, parameters, sweeps, probe requirements) and every profile it declares, without running it',
    )
    .argument('<study>', 'study file (YAML or JSON)')
    .option('-p, --profile <name>', 'check only this profile')
    .action((file: string, opts: { profile?: string }) => {
      const profiles = opts.profile !== undefined ? [opts.profile] : [undefined, ...profilesOf(file)];
      for (const profile of profiles) {
        const study = loadStudy(file, registries, profile !== undefined ? { profile } : {});
        const points = study.sweep.reduce((n, a) => n * a.values.length, 1);
        io.stdout(
          `${file}${profile !== undefined ? ` --profile ${profile}` : ''}: valid — ${study.systems.length} system(s), ${study.probes.length} probe(s), ${points} sweep point(s), seed ${study.seed}, backend ${study.backend}\n`,
        );
      }
    });

  program
    .command('compare')
    .description('overlay the results of several runs in one report, with differences in units of their uncertainty')
    .argument('<dirs...>', 'result folders written by `entroscope run` (the first is the reference)')
    .option('-o, --out <dir>', 'output folder', path.join('results', 'compare'))
    .action(async (dirs: string[], opts: { out: string }) => {
      const { comparison } = await writeComparison(dirs, opts.out, displayLookup(registries));
      const worst = comparison.differences
        .filter((d) => Number.isFinite(d.z))
        .reduce((m, d) => Math.max(m, Math.abs(d.z)), 0);
      io.stdout(
        `compared ${dirs.length} runs: ${comparison.differences.length} matched measurements, max |z| = ${Number(worst.toPrecision(4))}\n`,
      );
      io.stdout(`report: ${path.join(opts.out, 'report.html')}\n`);
    });

  program
    .command('report')
    .description('re-draw the figures and report.html of a result folder (nothing is recomputed)')
    .argument('<dir>', 'result folder written by `entroscope run`')
    .action(async (dir: string) => {
      const { files, seconds } = await rewriteReport(dir, displayLookup(registries));
      io.stdout(`wrote ${files.length} files in ${seconds.toFixed(1)} s\nreport: ${path.join(dir, 'report.html')}\n`);
    });

  program
    .command('list')
    .description('list every registered system and probe with its parameters')
    .option('--markdown', 'as Markdown (the text of docs/parameters.md)')
    .action((opts: { markdown?: boolean }) =>
      io.stdout(opts.markdown ? listDescriptorsMarkdown(registries) : listDescriptors(registries)),
    );

  program
    .command('schema')
    .description('write the JSON Schema of study files (for editors) to stdout or a file')
    .option('-o, --out <file>', 'write to this file')
    .action((opts: { out?: string }) => {
      const text = JSON.stringify(studyJsonSchema(registries), null, 2) + '\n';
      if (opts.out) fs.writeFileSync(opts.out, text);
      else io.stdout(text);
    });

  try {
    await program.parseAsync(['node', 'entroscope', ...argv]);
  } catch (error) {
    const commanderCode = (error as { code?: string }).code;
    if (typeof commanderCode === 'string' && commanderCode.startsWith('commander.')) {
      return commanderCode === 'commander.helpDisplayed' ||
        commanderCode === 'commander.version' ||
        commanderCode === 'commander.help'
        ? EXIT.ok
        : EXIT.invalid;
    }
    if (error instanceof EntroscopeError && error.code === 'INTERRUPTED') return EXIT.interrupted;
    io.stderr(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    if (!(error instanceof EntroscopeError) && error instanceof Error && error.stack) io.stderr(`${error.stack}\n`);
    return isInputError(error) ? EXIT.invalid : EXIT.failed;
  }
  return code;
}
