import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { informationModule } from '@entroscope/probe-information';
import { EXIT, main, type CliIo } from './cli';
import { createRegistries } from './container';
import { pluginModules } from './plugins';
import { resolveBackend } from './backend';
import { loadStudy, runStudy } from './run-study';

const repo = path.resolve(__dirname, '..', '..', '..');
const quickstart = path.join(repo, 'studies', 'quickstart.yaml');
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'entroscope-runner-'));

async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), isTty: false };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

function writeStudy(dir: string, text: string, name = 'study.yaml'): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

const small = `name: small
seed: 11
backend: cpu
systems:
  - name: chain
    use: ising-1d
    params: { K: 1, steps: 4, samples: { count: 150, length: 16 } }
probes:
  - name: kl
    use: relative-entropy
  - name: kl-sampled
    use: relative-entropy
    params: { estimator: { use: plug-in-blocks, blockLength: 2, bootstrap: 10 } }
sweep:
  systems.chain.params.K: [0.5, 1, 2]
`;

describe('entroscope run', () => {
  it('runs the quickstart and writes results, csv, provenance, plots and a self-contained report', async () => {
    const out = tmp();
    const result = await cli('run', quickstart, '--out', out);
    expect(result.stderr).not.toMatch(/error/);
    expect(result.code).toBe(EXIT.ok);
    for (const file of ['results.jsonl', 'results.csv', 'study.resolved.json', 'report.html'])
      expect(fs.existsSync(path.join(out, file))).toBe(true);
    const records = fs
      .readFileSync(path.join(out, 'results.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    // d_A(1…4) at K = 0.5 and d_B at K = 1 from docs/science/rg-ising.md §1 (class E, 1e-12 / last digit).
    const pick = (K: number, c: string, n: number) =>
      records.find(
        (r) =>
          r.system === 'chain' &&
          r.params.system.K === K &&
          r.params.probe.estimator.construction === c &&
          r.site.index === n &&
          r.probe === 'kl-exact',
      );
    expect(Math.abs(pick(0.5, 'A', 1).value - 0.034053888218)).toBeLessThanOrEqual(1e-12);
    expect(Math.abs(pick(0.5, 'A', 4).value - 0.110942072806)).toBeLessThanOrEqual(1e-12);
    expect(Math.abs(pick(1, 'B', 2).value - 0.313385437756)).toBeLessThanOrEqual(1e-12);
    expect(Math.abs(pick(1, 'A', 8).meta.asymptote - (Math.tanh(1) - Math.log(Math.cosh(1))))).toBeLessThan(1e-14);
    for (const r of records) {
      expect(r).toEqual(
        expect.objectContaining({
          system: expect.any(String),
          probe: expect.any(String),
          estimator: expect.any(String),
          unit: 'nat/site',
          params: expect.any(Object),
        }),
      );
      expect(r.site).toEqual(expect.objectContaining({ axis: 'rg-step', index: expect.any(Number) }));
    }
    const sampled = records.filter((r) => r.probe === 'kl-sampled' && r.site.index > 0);
    expect(sampled.length).toBe(8);
    expect(sampled.every((r) => r.uncertainty > 0)).toBe(true);
    const resolved = JSON.parse(fs.readFileSync(path.join(out, 'study.resolved.json'), 'utf8'));
    expect(resolved.status).toBe('complete');
    expect(resolved.seeds.root).toBe(2022);
    expect(resolved.backend.id).toBeDefined();
    expect(resolved.versions['@entroscope/core']).toBe('0.1.0');
    const html = fs.readFileSync(path.join(out, 'report.html'), 'utf8');
    expect(html).toContain('<svg');
    // Self-contained: scripts and styles inline, nothing loaded from elsewhere.
    expect(html).not.toMatch(/<script[^>]*\ssrc=|<link[^>]*\shref=|<img[^>]*\ssrc="?https?:/);
    expect(fs.readdirSync(path.join(out, 'plots')).filter((f) => f.endsWith('.svg')).length).toBe(2);
    expect(fs.readFileSync(path.join(out, 'results.csv'), 'utf8').split('\n')[0]).toMatch(
      /^task,replicate,system,systemId,probe,probeId,estimator,axis,index,label,value,unit,uncertainty,n,/,
    );
  });

  it('gives byte-identical results.jsonl for the same study and seed, and other samples for another seed', async () => {
    const dir = tmp();
    const file = writeStudy(dir, small);
    const [a, b, c] = [path.join(dir, 'a'), path.join(dir, 'b'), path.join(dir, 'c')];
    expect((await cli('run', file, '--out', a)).code).toBe(0);
    expect((await cli('run', file, '--out', b)).code).toBe(0);
    expect((await cli('run', file, '--out', c, '--seed', '12')).code).toBe(0);
    const read = (d: string) => fs.readFileSync(path.join(d, 'results.jsonl'), 'utf8');
    expect(read(a)).toBe(read(b));
    expect(fs.readFileSync(path.join(a, 'plots', fs.readdirSync(path.join(a, 'plots'))[0]!), 'utf8')).toBe(
      fs.readFileSync(path.join(b, 'plots', fs.readdirSync(path.join(b, 'plots'))[0]!), 'utf8'),
    );
    expect(read(c)).not.toBe(read(a));
  });

  it('resumes after a crash mid-task and ends with the same bytes as an uninterrupted run', async () => {
    const dir = tmp();
    const file = writeStudy(dir, small);
    const full = path.join(dir, 'full');
    const crashed = path.join(dir, 'crashed');
    await cli('run', file, '--out', full);
    await cli('run', file, '--out', crashed);
    // Simulate a crash in the last task: its completion marker is lost and a half-written line remains.
    const progress = path.join(crashed, '.entroscope', 'progress.jsonl');
    const lines = fs.readFileSync(progress, 'utf8').trim().split('\n');
    fs.writeFileSync(progress, lines.slice(0, -1).join('\n') + '\n');
    fs.appendFileSync(
      path.join(crashed, 'results.jsonl'),
      fs
        .readFileSync(path.join(crashed, 'results.jsonl'), 'utf8')
        .split('\n')[0]!
        .replace(/"task":"[0-9a-f]+"/, `"task":"${JSON.parse(lines[lines.length - 1]!).task}"`) + '\n',
    );
    const rerun = await cli('run', file, '--out', crashed);
    expect(rerun.code).toBe(0);
    expect(rerun.stdout).toMatch(/2 resumed from an earlier run/);
    expect(fs.readFileSync(path.join(crashed, 'results.jsonl'), 'utf8')).toBe(
      fs.readFileSync(path.join(full, 'results.jsonl'), 'utf8'),
    );
  });

  it('keeps completed tasks and writes a report when interrupted, then finishes on the next run', async () => {
    const dir = tmp();
    const file = writeStudy(dir, small);
    const out = path.join(dir, 'out');
    const registries = createRegistries();
    const controller = new AbortController();
    const summary = await runStudy(loadStudy(file, registries), registries, {
      out,
      signal: controller.signal,
      resolveBackend,
      onProgress: (done) => {
        if (done >= 1.1) controller.abort(); // during the second task, after the first completed
      },
    });
    expect(summary.interrupted).toBe(true);
    const resolved = JSON.parse(fs.readFileSync(path.join(out, 'study.resolved.json'), 'utf8'));
    expect(resolved.status).toBe('interrupted');
    expect(resolved.tasks.complete).toBeGreaterThanOrEqual(1);
    expect(fs.existsSync(path.join(out, 'report.html'))).toBe(true);
    const again = await cli('run', file, '--out', out);
    expect(again.code).toBe(0);
    expect(JSON.parse(fs.readFileSync(path.join(out, 'study.resolved.json'), 'utf8')).status).toBe('complete');
  });

  it('stops at a real Ctrl-C (SIGINT) after the running task, keeps what is complete, and resumes', async () => {
    const dir = tmp();
    const file = writeStudy(
      dir,
      small
        .replace('count: 150, length: 16', 'count: 3000, length: 64')
        .replace('[0.5, 1, 2]', '[0.5, 0.75, 1, 1.25, 1.5, 2, 2.5, 3]'),
    );
    const out = path.join(dir, 'out');
    const bin = path.join(__dirname, '..', 'bin', 'entroscope.js');
    const child = spawn(process.execPath, [bin, 'run', file, '--out', out], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    const code = await new Promise<number | null>((resolve) => {
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (stderr.includes('[task 2/8 ') && !child.killed) child.kill('SIGINT');
      });
      child.on('exit', (c) => resolve(c));
    });
    expect(stderr).toMatch(/Interrupted: the running task is stopped/);
    expect(code).toBe(EXIT.interrupted);
    const resolved = JSON.parse(fs.readFileSync(path.join(out, 'study.resolved.json'), 'utf8'));
    expect(resolved.status).toBe('interrupted');
    expect(resolved.tasks.complete).toBeGreaterThanOrEqual(1);
    expect(resolved.tasks.complete).toBeLessThan(8);
    const again = await cli('run', file, '--out', out);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/resumed from an earlier run/);
  }, 60_000);

  it("resumes an 'auto' run with the backend choice it recorded (not measured again)", async () => {
    const dir = tmp();
    const file = writeStudy(dir, small.replace('backend: cpu', 'backend: auto'));
    const out = path.join(dir, 'out');
    expect((await cli('run', file, '--out', out)).code).toBe(0);
    const first = JSON.parse(fs.readFileSync(path.join(out, 'study.resolved.json'), 'utf8')).backend;
    const again = await cli('run', file, '--out', out);
    expect(again.code).toBe(0);
    const second = JSON.parse(fs.readFileSync(path.join(out, 'study.resolved.json'), 'utf8')).backend;
    expect(second.families).toEqual(first.families);
    expect(second.why).toMatch(/earlier run/);
  }, 60_000);

  it('refuses to mix results of a different study in one folder unless --fresh', async () => {
    const dir = tmp();
    const out = path.join(dir, 'out');
    await cli('run', writeStudy(dir, small), '--out', out);
    const changed = writeStudy(dir, small.replace('seed: 11', 'seed: 12'), 'changed.yaml');
    const refused = await cli('run', changed, '--out', out);
    expect(refused.code).toBe(EXIT.invalid);
    expect(refused.stderr).toMatch(/different study configuration.*--fresh/);
    expect((await cli('run', changed, '--out', out, '--fresh')).code).toBe(0);
  });
});

describe('bad input: clear errors, exit code 2, nothing written', () => {
  const cases: [string, string, RegExp][] = [
    [
      'an unknown probe id',
      small.replace('use: relative-entropy\n  - name', 'use: relative-entropi\n  - name'),
      /study\.yaml:10:10 probes\[0\]\.use: unknown probe 'relative-entropi'\. Known probes: .*entropy.*relative-entropy/,
    ],
    [
      'an unknown system id',
      small.replace('use: ising-1d', 'use: ising-3d'),
      /unknown system 'ising-3d'\. Known systems: .*ising-1d/,
    ],
    [
      'a parameter of the wrong type',
      small.replace('K: 1,', 'K: one,'),
      /study\.yaml:7:18 systems\[0\]\.params\.K \(system ising-1d\): expected number, got "one"/,
    ],
    [
      'a parameter out of range',
      small.replace('steps: 4', 'steps: -4'),
      /systems\[0\]\.params\.steps \(system ising-1d\): expected number to be >=0, got -4/,
    ],
    [
      'malformed YAML',
      small.replace('params: { K: 1,', 'params: { K: 1,,'),
      /study\.yaml:\d+:\d+: malformed study file/,
    ],
    [
      'a probe the system cannot feed',
      small.replace(', samples: { count: 150, length: 16 }', ''),
      /probe 'relative-entropy' cannot run on system 'chain \(ising-1d\)': needs data kind 'spins' or 'discrete', system provides none/,
    ],
  ];
  it.each(cases)('%s', async (_what, text, message) => {
    const dir = tmp();
    const file = writeStudy(dir, text);
    const out = path.join(dir, 'out');
    const result = await cli('run', file, '--out', out);
    expect(result.code).toBe(EXIT.invalid);
    expect(result.stderr).toMatch(message);
    expect(fs.existsSync(out)).toBe(false);
    expect((await cli('validate', file)).code).toBe(EXIT.invalid);
  });

  it('runs a named profile of a study into its own folder, recording the profile', async () => {
    const dir = tmp();
    const file = writeStudy(
      dir,
      `${small}profiles:\n  wide:\n    set: { replicates: 2 }\n    sweep: { systems.chain.params.K: [0.25, 4] }\n`,
    );
    const validated = await cli('validate', file);
    expect(validated.code).toBe(0);
    expect(validated.stdout).toMatch(/study\.yaml: valid — .* 3 sweep point\(s\)/);
    expect(validated.stdout).toMatch(/study\.yaml --profile wide: valid — .* 2 sweep point\(s\)/);
    const out = path.join(dir, 'out');
    const result = await cli('run', file, '--profile', 'wide', '--out', out);
    expect(result.code).toBe(0);
    const resolved = JSON.parse(fs.readFileSync(path.join(out, 'study.resolved.json'), 'utf8'));
    expect(resolved.study.name).toBe('small-wide');
    expect(resolved.study.profile).toBe('wide');
    expect(resolved.study.replicates).toBe(2);
    const unknown = await cli('run', file, '--profile', 'paper');
    expect(unknown.code).toBe(EXIT.invalid);
    expect(unknown.stderr).toMatch(/profiles: expected a profile of this study \(wide\), got --profile 'paper'/);
  });

  it('says so when the study file does not exist', async () => {
    const result = await cli('run', '/nonexistent/study.yaml');
    expect(result.code).toBe(EXIT.invalid);
    expect(result.stderr).toMatch(/\/nonexistent\/study\.yaml: no such study file/);
  });
});

describe('entroscope validate, list and schema', () => {
  it('validates a study without writing anything', async () => {
    const result = await cli('validate', quickstart);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/valid — 2 system\(s\), 2 probe\(s\), 6 sweep point\(s\), seed 2022/);
  });

  it('lists every system and probe with parameter descriptions', async () => {
    const result = await cli('list');
    expect(result.code).toBe(0);
    for (const id of ['ising-1d', 'relative-entropy', 'entropy']) expect(result.stdout).toContain(`  ${id} (v`);
    expect(result.stdout).toMatch(/K: number \[≥ -50, ≤ 50\] \(required\) — Nearest-neighbour coupling/);
    expect(result.stdout).toMatch(/blockLength: integer \[≥ 1, ≤ 24\] \(default 4\)/);
  });

  it('emits a JSON Schema naming every registered id', async () => {
    const result = await cli('schema');
    const schema = JSON.parse(result.stdout);
    expect(schema.properties.systems.items.properties.use.enum).toContain('ising-1d');
    expect(schema.properties.probes.items.properties.use.enum).toEqual(
      expect.arrayContaining(['entropy', 'relative-entropy']),
    );
  });
});

describe('plugins', () => {
  it('registers a probe package only through its ContainerModule (the entropy probe)', () => {
    expect(createRegistries().probes.ids()).toContain('entropy');
    const without = createRegistries(pluginModules.map((p) => p.module).filter((m) => m !== informationModule));
    expect(without.probes.ids()).not.toContain('entropy');
    expect(without.probes.ids()).toContain('relative-entropy');
  });
});
