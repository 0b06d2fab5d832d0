import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EXIT, main, type CliIo } from './cli';
import { ResultsStore } from './results-store';

// Runs that survive faults and damage: a damaged results folder, output paths that must not be used, two runs
// into one folder, SIGKILL and Ctrl-C in the middle of a task, a task that throws, non-finite values.

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'entroscope-faults-'));
const bin = path.join(__dirname, '..', 'bin', 'entroscope.js');

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

/** Three tasks of ten measurements each (exact and sampled relative entropy of a short chain). */
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

/** A single task that runs for a minute or more (3·10⁶ Metropolis sweeps of 64 × 64), to interrupt in its middle. */
const long = `name: long
seed: 5
backend: cpu
systems:
  - name: lattice
    use: ising-2d
    params: { K: 0.3, steps: 1, monteCarlo: { L: 64, algorithm: metropolis, sweeps: 3000000, configurations: 20 } }
probes:
  - name: kl
    use: relative-entropy
    params: { estimator: { use: plug-in-blocks, blockLength: 2 } }
`;

const read = (dir: string, file = 'results.jsonl') => fs.readFileSync(path.join(dir, file), 'utf8');

/** Runs `small` into a fresh folder; returns the folder and the study file. */
async function completedRun(): Promise<{ dir: string; file: string; out: string }> {
  const dir = tmp();
  const file = writeStudy(dir, small);
  const out = path.join(dir, 'out');
  const result = await cli('run', file, '--out', out);
  expect(result.code).toBe(EXIT.ok);
  return { dir, file, out };
}

describe('a damaged results folder is detected, repaired when torn, refused otherwise', () => {
  let reference: string;
  let pristine: { file: string; out: string };
  beforeAll(async () => {
    pristine = await completedRun();
    reference = read(pristine.out);
    expect(reference.trim().split('\n')).toHaveLength(30);
  }, 30_000);
  /** A copy of the completed run's folder (and its study file) to damage. */
  const copyOfRun = () => {
    const dir = tmp();
    const out = path.join(dir, 'out');
    fs.cpSync(pristine.out, out, { recursive: true });
    return { file: pristine.file, out };
  };

  const refusals: [string, (out: string) => void, RegExp][] = [
    [
      'emptied results.jsonl',
      (out) => fs.writeFileSync(path.join(out, 'results.jsonl'), ''),
      /task [0-9a-f]{12} has 0 measurement line\(s\) in results\.jsonl; the run wrote 10/,
    ],
    [
      'deleted results.jsonl',
      (out) => fs.rmSync(path.join(out, 'results.jsonl')),
      /results\.jsonl is missing, but 3 task\(s\) are recorded complete/,
    ],
    [
      'results.jsonl cut at a line boundary',
      (out) => fs.writeFileSync(path.join(out, 'results.jsonl'), read(out).split('\n').slice(0, 27).join('\n') + '\n'),
      /has 7 measurement line\(s\) in results\.jsonl; the run wrote 10/,
    ],
    [
      'duplicated lines',
      (out) => fs.appendFileSync(path.join(out, 'results.jsonl'), read(out).split('\n').slice(0, 5).join('\n') + '\n'),
      /has 15 measurement line\(s\) in results\.jsonl; the run wrote 10/,
    ],
    [
      'an edited value',
      (out) =>
        fs.writeFileSync(path.join(out, 'results.jsonl'), read(out).replace(/"value":([0-9.e-]+)/, '"value":1.5')),
      /its 10 line\(s\) in results\.jsonl were changed since the run wrote them/,
    ],
    [
      'a torn line of a complete task',
      (out) => fs.writeFileSync(path.join(out, 'results.jsonl'), read(out).slice(0, -40)),
      /has 9 measurement line\(s\) in results\.jsonl; the run wrote 10/,
    ],
    [
      'a garbage line inside results.jsonl',
      (out) => fs.writeFileSync(path.join(out, 'results.jsonl'), read(out).replace('\n', '\n{"tas\n')),
      /results\.jsonl line 2 is not a measurement record/,
    ],
    [
      'a corrupt state.json',
      (out) => fs.writeFileSync(path.join(out, '.entroscope', 'state.json'), '{"fingerprint": "ab'),
      /\.entroscope\/state\.json is not valid JSON/,
    ],
    [
      'a state.json without fingerprint',
      (out) => fs.writeFileSync(path.join(out, '.entroscope', 'state.json'), '[]'),
      /\.entroscope\/state\.json has no study fingerprint/,
    ],
    [
      'a garbage line inside progress.jsonl',
      (out) =>
        fs.writeFileSync(
          path.join(out, '.entroscope', 'progress.jsonl'),
          'nonsense\n' + read(out, '.entroscope/progress.jsonl'),
        ),
      /progress\.jsonl line 1 is not a task record/,
    ],
  ];
  it.each(refusals)(
    '%s: refused with a clear error naming --fresh, nothing changed',
    async (what, damage, problem) => {
      const { file, out } = copyOfRun();
      damage(out);
      const before = Object.fromEntries(
        ['results.jsonl', 'study.resolved.json', 'report.html']
          .filter((f) => fs.existsSync(path.join(out, f)))
          .map((f) => [f, read(out, f)]),
      );
      const result = await cli('run', file, '--out', out);
      expect(result.code).toBe(EXIT.invalid);
      expect(result.stderr).toMatch(
        /^error: .*out cannot be resumed: its files do not match the record of the run that wrote them:/,
      );
      expect(result.stderr).toMatch(problem);
      expect(result.stderr).toMatch(/re-run with --fresh/);
      expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
      for (const [f, text] of Object.entries(before)) expect(read(out, f)).toBe(text);
      if (what === refusals[0]![0]) {
        // --fresh recomputes everything, to the same bytes.
        expect((await cli('run', file, '--out', out, '--fresh')).code).toBe(EXIT.ok);
        expect(read(out)).toBe(reference);
      }
    },
    30_000,
  );

  it('repairs a line torn by a crash in the middle of a task, and the resumed run has the bytes of an uninterrupted one', async () => {
    const { file, out } = copyOfRun();
    // A crash while the last task writes: its completion is not recorded, its last line is cut mid-way.
    const progress = path.join(out, '.entroscope', 'progress.jsonl');
    fs.writeFileSync(
      progress,
      read(out, '.entroscope/progress.jsonl').trim().split('\n').slice(0, 2).join('\n') + '\n',
    );
    fs.writeFileSync(path.join(out, 'results.jsonl'), reference.slice(0, -25));
    const result = await cli('run', file, '--out', out);
    expect(result.code).toBe(EXIT.ok);
    expect(result.stderr).toMatch(/warning: .*results\.jsonl: dropped a torn last line/);
    expect(result.stdout).toMatch(/2 resumed from an earlier run/);
    expect(read(out)).toBe(reference);
  }, 30_000);

  it('repairs a torn last line of progress.jsonl (that task runs again)', async () => {
    const { file, out } = copyOfRun();
    const progress = path.join(out, '.entroscope', 'progress.jsonl');
    fs.writeFileSync(progress, read(out, '.entroscope/progress.jsonl').slice(0, -10));
    const result = await cli('run', file, '--out', out);
    expect(result.code).toBe(EXIT.ok);
    expect(result.stderr).toMatch(/progress\.jsonl: dropped a torn last line/);
    expect(result.stdout).toMatch(/2 resumed from an earlier run/);
    expect(read(out)).toBe(reference);
  }, 30_000);

  it('rewrites results.jsonl atomically when opening a folder (a new file renamed over the old, never rewritten in place)', async () => {
    const { out } = copyOfRun();
    const fingerprint = (JSON.parse(read(out, '.entroscope/state.json')) as { fingerprint: string }).fingerprint;
    // Lines of a task that never completed, as a crash leaves them: opening the folder drops them.
    fs.appendFileSync(
      path.join(out, 'results.jsonl'),
      reference.split('\n')[0]!.replace(/"task":"[0-9a-f]+"/, '"task":"000000000000"') + '\n',
    );
    const before = fs.statSync(path.join(out, 'results.jsonl')).ino;
    const store = ResultsStore.open(out, fingerprint, false);
    expect(store.completed.size).toBe(3);
    expect(fs.statSync(path.join(out, 'results.jsonl')).ino).not.toBe(before);
    expect(read(out)).toBe(reference);
    expect(fs.readdirSync(out).filter((f) => f.includes('.tmp-'))).toEqual([]);
  }, 30_000);
});

describe('the output folder is checked before anything is written', () => {
  it('refuses a non-empty folder no Entroscope run wrote, with or without --fresh, and touches nothing', async () => {
    const dir = tmp();
    const file = writeStudy(dir, small);
    const out = path.join(dir, 'mine');
    fs.mkdirSync(path.join(out, 'plots'), { recursive: true });
    fs.writeFileSync(path.join(out, 'plots', 'figure.svg'), '<svg/>');
    fs.writeFileSync(path.join(out, 'results.csv'), 'my,own\n');
    for (const extra of [[], ['--fresh']]) {
      const result = await cli('run', file, '--out', out, ...extra);
      expect(result.code).toBe(EXIT.invalid);
      expect(result.stderr).toMatch(
        /--out .*mine: the folder is not empty \(plots, results\.csv\) and holds no Entroscope run .*nothing there will be overwritten or deleted.*--fresh only replaces the files of an earlier Entroscope run/,
      );
    }
    expect(fs.readdirSync(out).sort()).toEqual(['plots', 'results.csv']);
    expect(read(out, 'plots/figure.svg')).toBe('<svg/>');
    expect(read(out, 'results.csv')).toBe('my,own\n');
  });

  it("applies the same rule to a study's output: folder, naming it", async () => {
    const dir = tmp();
    const out = path.join(dir, 'elsewhere');
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, 'thesis.tex'), 'x');
    const file = writeStudy(dir, `${small}output: ${out}\n`);
    const result = await cli('run', file);
    expect(result.code).toBe(EXIT.invalid);
    expect(result.stderr).toMatch(/output: \(.*study\.yaml\) .*elsewhere: the folder is not empty \(thesis\.tex\)/);
    expect(fs.readdirSync(out)).toEqual(['thesis.tex']);
  });

  it('--fresh in an earlier run folder removes only the files that run wrote', async () => {
    const { dir, out } = await completedRun();
    fs.writeFileSync(path.join(out, 'notes.txt'), 'keep me');
    const changed = writeStudy(dir, small.replace('seed: 11', 'seed: 12'), 'changed.yaml');
    expect((await cli('run', changed, '--out', out)).code).toBe(EXIT.invalid);
    expect((await cli('run', changed, '--out', out, '--fresh')).code).toBe(EXIT.ok);
    expect(read(out, 'notes.txt')).toBe('keep me');
    expect(JSON.parse(read(out, 'study.resolved.json')).study.seed).toBe(12);
  }, 30_000);

  const badPaths: [string, (dir: string) => string, RegExp][] = [
    ["an empty --out ''", () => '', /--out "": an empty path \(it would mean the working directory\)/],
    ['a file', (dir) => writeStudy(dir, 'x', 'a-file'), /--out ".*a-file": is a file, not a folder/],
    [
      'a path below a file',
      (dir) => path.join(writeStudy(dir, 'x', 'a-file'), 'sub', 'out'),
      /--out ".*a-file\/sub\/out": lies below .*a-file, which is a file, not a folder/,
    ],
    ['/dev/null', () => '/dev/null', /--out "\/dev\/null": is a character device, not a folder/],
    [
      'a folder under /proc',
      () => '/proc/entroscope-results',
      /--out "\/proc\/entroscope-results": is under \/proc, a kernel pseudo-filesystem/,
    ],
    ['a folder under /proc/self', () => '/proc/self/fd/results', /is under \/proc, a kernel pseudo-filesystem/],
  ];
  it.each(badPaths)('refuses --out at %s with a clear error, at once', async (_what, at, message) => {
    const dir = tmp();
    const file = writeStudy(dir, small);
    const cwd = process.cwd();
    process.chdir(dir);
    const started = Date.now();
    try {
      const result = await cli('run', file, '--out', at(dir));
      expect(result.code).toBe(EXIT.invalid);
      expect(result.stderr).toMatch(message);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    } finally {
      process.chdir(cwd);
    }
    expect(Date.now() - started).toBeLessThan(3000);
    expect(fs.readdirSync(dir).filter((f) => f !== 'a-file')).toEqual(['study.yaml']);
  });

  (process.getuid?.() === 0 ? it.skip : it)(
    'refuses a folder it cannot write in (skipped as root: root writes anywhere)',
    async () => {
      const dir = tmp();
      const file = writeStudy(dir, small);
      const locked = path.join(dir, 'locked');
      fs.mkdirSync(locked, { mode: 0o500 });
      const result = await cli('run', file, '--out', path.join(locked, 'out'));
      expect(result.code).toBe(EXIT.invalid);
      expect(result.stderr).toMatch(/cannot write in .*locked \(permission denied\)/);
    },
  );
});

describe('one run per folder: a lock that names its holder', () => {
  it('refuses a second run into a folder in use, naming pid, host and start time; the first finishes', async () => {
    const dir = tmp();
    const file = writeStudy(dir, small);
    const out = path.join(dir, 'out');
    const first = cli('run', file, '--out', out);
    // Start the second run once the first holds the lock (however loaded the machine).
    const lock = path.join(out, '.entroscope', 'lock');
    for (let waited = 0; !fs.existsSync(lock) && waited < 20_000; waited += 5)
      await new Promise((resolve) => setTimeout(resolve, 5));
    const second = await cli('run', file, '--out', out);
    expect(second.code).toBe(EXIT.invalid);
    expect(second.stderr).toMatch(
      new RegExp(
        `is in use by process ${process.pid} on ${os.hostname()}, running since \\d{4}-\\d\\d-\\d\\dT.*two runs must not write into one folder`,
      ),
    );
    expect((await first).code).toBe(EXIT.ok);
    expect(read(out).trim().split('\n')).toHaveLength(30);
    expect(fs.existsSync(path.join(out, '.entroscope', 'lock'))).toBe(false);
    expect((await cli('run', file, '--out', out)).stdout).toMatch(/3 resumed/);
  }, 30_000);

  it('takes over a stale lock left by a process that no longer runs, and says so', async () => {
    const { file, out } = await completedRun();
    const gone = spawn(process.execPath, ['-e', '0']);
    await new Promise((resolve) => gone.on('exit', resolve));
    fs.writeFileSync(
      path.join(out, '.entroscope', 'lock'),
      JSON.stringify({ pid: gone.pid, host: os.hostname(), startedAt: '2026-01-01T00:00:00.000Z' }),
    );
    const result = await cli('run', file, '--out', out);
    expect(result.code).toBe(EXIT.ok);
    expect(result.stderr).toMatch(
      new RegExp(
        `taking over a stale lock of .*: process ${gone.pid} \\(started 2026-01-01T00:00:00.000Z\\) no longer runs`,
      ),
    );
  }, 30_000);

  it('refuses a lock held on another host (its process cannot be checked), saying how to clear it', async () => {
    const { file, out } = await completedRun();
    fs.writeFileSync(
      path.join(out, '.entroscope', 'lock'),
      JSON.stringify({ pid: 1, host: 'other-machine', startedAt: '2026-01-01T00:00:00.000Z' }),
    );
    const result = await cli('run', file, '--out', out);
    expect(result.code).toBe(EXIT.invalid);
    expect(result.stderr).toMatch(
      /in use by process 1 on other-machine, running since 2026-01-01T00:00:00\.000Z.*If that run is gone .*delete .*\.entroscope\/lock/,
    );
  }, 30_000);
});

/** Spawns the compiled CLI; `onStderr` sees the accumulated stderr and may signal the child. */
function spawnRun(
  args: string[],
  onStderr: (stderr: string, child: ReturnType<typeof spawn>) => void,
  env: Record<string, string> = {},
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; exitedAt: number }> {
  const child = spawn(process.execPath, [bin, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    onStderr(stderr, child);
  });
  return new Promise((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, stderr, exitedAt: Date.now() })),
  );
}

describe('kill, Ctrl-C and failing tasks', () => {
  const eight = small
    .replace('count: 150, length: 16', 'count: 1500, length: 32')
    .replace('[0.5, 1, 2]', '[0.5, 0.75, 1, 1.25, 1.5, 2, 2.5, 3]');

  it('resumes after SIGKILL in the middle of the run to the bytes of an uninterrupted run', async () => {
    const dir = tmp();
    const file = writeStudy(dir, eight);
    const full = path.join(dir, 'full');
    expect((await cli('run', file, '--out', full)).code).toBe(EXIT.ok);
    const killed = path.join(dir, 'killed');
    const run = await spawnRun(['run', file, '--out', killed], (stderr, child) => {
      if (stderr.includes('[task 4/8 ') && child.exitCode === null && !child.killed) child.kill('SIGKILL');
    });
    expect(run.signal).toBe('SIGKILL');
    // The lock of the killed run is stale: the next run takes it over and resumes.
    const again = await cli('run', file, '--out', killed);
    expect(again.code).toBe(EXIT.ok);
    expect(again.stdout).toMatch(/resumed from an earlier run/);
    expect(read(killed)).toBe(read(full));
  }, 60_000);

  it('stops a long task at the first Ctrl-C without waiting for it, keeps the folder resumable, exits 130', async () => {
    const dir = tmp();
    const file = writeStudy(dir, long);
    const out = path.join(dir, 'out');
    let signalledAt = 0;
    const run = await spawnRun(['run', file, '--out', out], (stderr, child) => {
      if (signalledAt === 0 && stderr.includes('[task 1/1 ')) {
        signalledAt = Date.now();
        setTimeout(() => child.kill('SIGINT'), 1500); // well inside the task (it runs for minutes)
        signalledAt += 1500;
      }
    });
    expect(run.stderr).toMatch(/Interrupted: the running task is stopped/);
    expect(run.code).toBe(EXIT.interrupted);
    // Stopped at once: the exit (files written) comes long before the task could end (a minute or more of sweeps).
    expect(run.exitedAt - signalledAt).toBeLessThan(10_000);
    const resolved = JSON.parse(read(out, 'study.resolved.json'));
    expect(resolved.status).toBe('interrupted');
    expect(resolved.tasks.complete).toBe(0);
    expect(fs.existsSync(path.join(out, '.entroscope', 'lock'))).toBe(false);
  }, 60_000);

  it('quits at once on a second Ctrl-C', async () => {
    const dir = tmp();
    const file = writeStudy(dir, long);
    let sent = false;
    const run = await spawnRun(['run', file, '--out', path.join(dir, 'out')], (stderr, child) => {
      if (!sent && stderr.includes('[task 1/1 ')) {
        sent = true;
        setTimeout(() => {
          child.kill('SIGINT');
          setTimeout(() => child.kill('SIGINT'), 20);
        }, 500);
      }
    });
    expect(run.code).toBe(EXIT.interrupted);
  }, 60_000);

  it('prints progress within a long task to a log, with rate and ETA', async () => {
    const dir = tmp();
    const file = writeStudy(dir, long);
    const lines: string[] = [];
    await spawnRun(
      ['run', file, '--out', path.join(dir, 'out')],
      (stderr, child) => {
        lines.splice(0, lines.length, ...stderr.split('\n').filter((l) => l.startsWith('[task 1/1 ')));
        const moved = lines.some((l) => /^\[task 1\/1 · [1-9]\d*% /.test(l));
        if (lines.length >= 3 && moved && child.exitCode === null && !child.killed) child.kill('SIGINT');
      },
      { ENTROSCOPE_PROGRESS_INTERVAL: '0.3' },
    );
    expect(lines.length).toBeGreaterThanOrEqual(3);
    // The fraction moves within the task (the Monte Carlo chain reports its sweeps).
    expect(lines.some((l) => /^\[task 1\/1 · [1-9]\d*% · [\d.]+ tasks\/(s|min|h) · ETA \d/.test(l))).toBe(true);
    expect(lines.some((l) => /monte-carlo: \d+% of the sweeps/.test(l))).toBe(true);
    for (const line of lines)
      expect(line).toMatch(
        /^\[task 1\/1 · \d+% · (rate: measuring|[\d.]+ tasks\/(s|min|h)) · ETA (\?|\d+(s|m\d\ds|h\d\dm))\] lattice/,
      );
  }, 60_000);

  it('goes on after a task that throws; the error names the swept parameter; the run exits 1 and resumes only what is missing', async () => {
    const dir = tmp();
    // The two-coupling flow runs off to infinite coupling by step 13 at K = 0.6 (its ln Z is then undefined).
    const file = writeStudy(
      dir,
      `name: overflow
backend: cpu
systems:
  - name: lattice
    use: ising-2d
    params: { K: 0.6, flow: two-coupling, steps: 4 }
probes:
  - name: kl
    use: relative-entropy
sweep:
  systems.lattice.params.steps: [4, 13, 5]
`,
    );
    const out = path.join(dir, 'out');
    const result = await cli('run', file, '--out', out);
    expect(result.code).toBe(EXIT.failed);
    expect(result.stderr).toMatch(/error: task 2\/3 \(lattice systems\.lattice\.params\.steps=13\) failed: /);
    const resolved = JSON.parse(read(out, 'study.resolved.json'));
    expect(resolved.status).toBe('failed');
    expect(resolved.tasks.complete).toBe(2);
    expect(resolved.failures).toEqual([
      expect.objectContaining({ index: 1, label: 'lattice systems.lattice.params.steps=13' }),
    ]);
    const records = read(out)
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(new Set(records.map((r) => r.params.system.steps))).toEqual(new Set([4, 5]));
    const again = await cli('run', file, '--out', out);
    expect(again.code).toBe(EXIT.failed);
    expect(again.stdout).toMatch(/2 resumed from an earlier run/);
  }, 30_000);

  it('reports every NaN and ±Infinity with its site and swept parameters, in the summary and study.resolved.json', async () => {
    const dir = tmp();
    // Deep in the ordered phase two inputs become identical: their mutual information is +Infinity.
    const file = writeStudy(
      dir,
      `name: collapse
backend: cpu
seed: 3
systems:
  - name: net
    use: random-mlp
    params:
      sigmaW2: 0.05
      sigmaB2: 0.3
      activation: tanh
      depth: 60
      widths: { schedule: constant, width: 20 }
      inputs: { source: equicorrelated, count: 4, dimension: 20, correlation: 0.5, meanSquare: fixed-point }
probes:
  - name: two-input-mi
    use: two-input-mutual-information
    params: { estimator: sampled, normalise: perNeuron }
sweep:
  systems.net.params.sigmaW2: [0.05, 1.5]
`,
    );
    const out = path.join(dir, 'out');
    const result = await cli('run', file, '--out', out);
    expect(result.code).toBe(EXIT.ok);
    expect(result.stderr).toMatch(
      /warning: \d+ non-finite value\(s\) \(Infinity: \d+\); listed with site and parameters in study\.resolved\.json and the report:\n {2}- two-input-mi on net at layer \d+ \(systems\.net\.params\.sigmaW2=0\.05\): value Infinity/,
    );
    const resolved = JSON.parse(read(out, 'study.resolved.json'));
    const lines = read(out)
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const infinite = lines.filter((r) => r.value === 'Infinity');
    expect(infinite.length).toBeGreaterThan(0);
    expect(resolved.nonFinite.count).toBe(infinite.length);
    expect(resolved.nonFinite.values[0]).toEqual(
      expect.objectContaining({
        system: 'net',
        probe: 'two-input-mi',
        field: 'value',
        value: 'Infinity',
        sweep: { 'systems.net.params.sigmaW2': 0.05 },
        site: expect.objectContaining({ axis: 'layer' }),
      }),
    );
  }, 30_000);
});

describe('command line and provenance', () => {
  it('names the command line, not the file, for a bad --backend', async () => {
    const dir = tmp();
    const result = await cli('run', writeStudy(dir, small), '--backend', 'gpu', '--out', path.join(dir, 'out'));
    expect(result.code).toBe(EXIT.invalid);
    expect(result.stderr).toBe(
      'error: --backend (command line): expected one of auto, cpu, gpujs:cpu, gpujs:webasm, gpujs:headlessgl, gpujs:webgpu, got "gpu"\n',
    );
  });

  it('records the git commit and whether the working tree was dirty', async () => {
    const { out } = await completedRun();
    const resolved = JSON.parse(read(out, 'study.resolved.json'));
    const repo = path.resolve(__dirname, '..', '..', '..');
    let head: string | undefined;
    try {
      head = execFileSync('git', ['rev-parse', 'HEAD'], {
        cwd: repo,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }).trim();
    } catch {
      head = undefined;
    }
    if (head === undefined) return expect(resolved.gitDirty).toBeUndefined(); // not a checkout (e.g. an exported tree)
    expect(resolved.gitCommit).toBe(head);
    const dirty = execFileSync('git', ['status', '--porcelain'], { cwd: repo, encoding: 'utf8' }).trim() !== '';
    expect(resolved.gitDirty).toBe(dirty);
  }, 30_000);
});
