import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Queue } from 'bullmq';
import { EXIT, main, type CliIo } from '../cli';
import { QUEUE_NAME, connectionOptions } from './queue-connection';
import { versionStamp } from './queue-jobs';
import { runQueueWorker } from './queue-worker';

// A study's tasks on a BullMQ queue in a local redis-server (started here on a free loopback port, its files in a
// temporary folder, nothing persisted): results.jsonl byte for byte the in-process run's with two workers; a
// worker killed mid-task has its job finished by another, every measurement exactly once; a coordinator killed
// mid-run resumes; Redis lost mid-run keeps what was collected; a failing task is reported and not retried; a
// worker of another version returns its jobs; an unreachable Redis is a clear error. Without redis-server these
// tests are skipped, except under CI (CI=true), where that is a failure.

const redisServer = (() => {
  try {
    return execFileSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
})();
const ci = process.env['CI'] === 'true' || process.env['CI'] === '1';
const bin = path.join(__dirname, '..', '..', 'bin', 'entroscope.js');
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'entroscope-queue-'));
const read = (dir: string, file = 'results.jsonl') => fs.readFileSync(path.join(dir, file), 'utf8');
/** Fast fault detection for the tests: locks of 1.5 s, Redis lost after 1.5 s, reconciliation every 0.5 s. */
const fast = { ENTROSCOPE_QUEUE_LOCK_MS: '1500', ENTROSCOPE_QUEUE_LOST_MS: '1500', ENTROSCOPE_QUEUE_POLL_MS: '500' };

async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), isTty: false };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

interface Redis {
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

/** Starts redis-server on `port` (a free one by default), loopback only, no persistence, files in a temp folder. */
async function startRedis(port?: number): Promise<Redis> {
  const chosen = port ?? (await freePort());
  const dir = tmp();
  const child = spawn(
    redisServer!,
    ['--port', String(chosen), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  await new Promise<void>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`redis-server did not start: ${out}`)), 20_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited (${code}): ${out}`));
    });
  });
  return {
    url: `redis://127.0.0.1:${chosen}`,
    port: chosen,
    stop: () => stopProcess(child),
  };
}

interface WorkerProcess {
  readonly child: ChildProcess;
  log(): string;
}

/** Starts `entroscope worker` (the built CLI); resolves once it waits for jobs. */
function startWorker(url: string, env: Record<string, string> = {}): Promise<WorkerProcess> {
  const child = spawn(process.execPath, [bin, 'worker', '--queue', url], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let log = '';
  return new Promise((resolve, reject) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      if (log.includes('waiting for jobs')) resolve({ child, log: () => log });
    });
    child.on('exit', (code) => reject(new Error(`worker exited (${code}): ${log}`)));
  });
}

function stopProcess(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  return new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

/** Resolves when `test()` holds (checked every 20 ms); fails after `ms`. */
async function until(test: () => boolean, ms: number, what: string): Promise<void> {
  const start = Date.now();
  while (!test()) {
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Tasks recorded complete in a results folder. */
const completeTasks = (dir: string) => {
  const file = path.join(dir, '.entroscope', 'progress.jsonl');
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).length : 0;
};

/** One task per value of K; each measures exact and sampled relative entropy along 4 RG steps (10 measurements). */
const study = (name: string, values: string, samples = 'count: 400, length: 16') => `name: ${name}
seed: 21
backend: cpu
systems:
  - name: chain
    use: ising-1d
    params: { K: 1, steps: 4, samples: { ${samples} } }
probes:
  - name: kl
    use: relative-entropy
  - name: kl-sampled
    use: relative-entropy
    params: { estimator: { use: plug-in-blocks, blockLength: 2, bootstrap: 20 } }
sweep:
  systems.chain.params.K: [${values}]
`;

/** Writes the study, runs it in-process into `local`, and returns the file. */
async function withLocalRun(dir: string, text: string): Promise<string> {
  const file = path.join(dir, 'study.yaml');
  fs.writeFileSync(file, text);
  const local = await cli('run', file, '--out', path.join(dir, 'local'));
  expect(local.code).toBe(EXIT.ok);
  return file;
}

/** Every measurement (task, probe, estimator, site) appears once. */
function expectEachMeasurementOnce(results: string): void {
  const keys = results
    .trim()
    .split('\n')
    .map((line) => {
      const r = JSON.parse(line) as { task: string; probe: string; estimator: string; site: unknown };
      return JSON.stringify([r.task, r.probe, r.estimator, r.site]);
    });
  expect(new Set(keys).size).toBe(keys.length);
}

const available = redisServer !== undefined;
const suite = available || ci ? describe : describe.skip;

suite(
  `tasks on a Redis/BullMQ queue${available ? '' : ' (skipped: redis-server is not installed; apt-get install redis-server)'}`,
  () => {
    let redis: Redis;
    const saved = { ...process.env };
    beforeAll(async () => {
      if (!available)
        throw new Error(
          'redis-server is not installed: under CI the queue tests must run (apt-get install redis-server)',
        );
      Object.assign(process.env, fast);
      redis = await startRedis();
    }, 30_000);
    afterAll(async () => {
      process.env = saved;
      await redis?.stop();
    });

    it('gives results.jsonl byte for byte as the in-process run, with two workers, and shows their progress', async () => {
      const dir = tmp();
      const file = await withLocalRun(dir, study('queued', '0.25, 0.5, 0.75, 1, 1.5, 2'));
      const workers = await Promise.all([startWorker(redis.url), startWorker(redis.url)]);
      let queued: Awaited<ReturnType<typeof cli>>;
      try {
        queued = await cli('run', file, '--out', path.join(dir, 'queued'), '--queue', redis.url);
      } finally {
        await Promise.all(workers.map((w) => stopProcess(w.child, 'SIGTERM')));
      }
      expect(queued.stderr).not.toMatch(/error|warning/);
      expect(queued.code).toBe(EXIT.ok);
      expect(queued.stderr).toMatch(
        /queue: \d done, \d running, 0 failed, \d waiting · workers: \S+ \d tasks? \([\d.]+ tasks\/min\)/,
      );
      expect(read(path.join(dir, 'queued'))).toBe(read(path.join(dir, 'local')));
      expect(read(path.join(dir, 'queued'), 'results.csv')).toBe(read(path.join(dir, 'local'), 'results.csv'));
      // Both workers took part; the collected jobs are gone from Redis.
      for (const w of workers) expect(w.log()).toMatch(/done task \d\/6/);
      const queue = new Queue(QUEUE_NAME, { connection: connectionOptions(redis.url) });
      try {
        const counts = await queue.getJobCounts('completed', 'failed', 'waiting', 'active', 'delayed');
        expect(Object.values(counts).every((n) => n === 0)).toBe(true);
      } finally {
        await queue.close();
      }
    }, 180_000);

    it('finishes the job of a worker killed mid-task on another worker; every measurement arrives exactly once', async () => {
      const dir = tmp();
      const file = await withLocalRun(dir, study('killed', '0.5, 2', 'count: 12000, length: 64'));
      const doomed = await startWorker(redis.url, fast);
      const coordinator = cli('run', file, '--out', path.join(dir, 'queued'), '--queue', redis.url);
      await until(() => doomed.log().includes('started task'), 60_000, 'the first worker to start a task');
      await stopProcess(doomed.child); // SIGKILL in the middle of its task
      expect(doomed.log()).not.toMatch(/done task/); // it was killed mid-task, not after
      const rescuer = await startWorker(redis.url, fast);
      let queued: Awaited<ReturnType<typeof cli>>;
      try {
        queued = await coordinator;
      } finally {
        await stopProcess(rescuer.child, 'SIGTERM');
      }
      expect(queued.code).toBe(EXIT.ok);
      const killedTask = /started (task \d\/2)/.exec(doomed.log())![1]!;
      expect(rescuer.log()).toContain(`done ${killedTask}`);
      expectEachMeasurementOnce(read(path.join(dir, 'queued')));
      expect(read(path.join(dir, 'queued'))).toBe(read(path.join(dir, 'local')));
      expect(completeTasks(path.join(dir, 'queued'))).toBe(2);
    }, 240_000);

    it('resumes after the coordinator is killed mid-run: run again collects what the workers did meanwhile', async () => {
      const dir = tmp();
      const file = await withLocalRun(dir, study('resumed', '0.25, 0.5, 1, 2'));
      const out = path.join(dir, 'queued');
      const worker = await startWorker(redis.url);
      try {
        const coordinator = spawn(process.execPath, [bin, 'run', file, '--out', out, '--queue', redis.url], {
          stdio: ['ignore', 'pipe', 'pipe'],
          env: { ...process.env, ENTROSCOPE_PROGRESS_INTERVAL: '0.2' },
        });
        await until(() => completeTasks(out) >= 1, 90_000, 'the coordinator to collect a task');
        await stopProcess(coordinator); // a crash: no chance to write anything more
        const again = await cli('run', file, '--out', out, '--queue', redis.url);
        expect(again.code).toBe(EXIT.ok);
        expect(again.stdout).toMatch(/resumed from an earlier run/);
      } finally {
        await stopProcess(worker.child, 'SIGTERM');
      }
      expectEachMeasurementOnce(read(out));
      expect(read(out)).toBe(read(path.join(dir, 'local')));
    }, 240_000);

    it('ends with a clear error when Redis is lost mid-run, keeping what was collected; run again completes', async () => {
      const dir = tmp();
      const file = await withLocalRun(dir, study('lost', '0.25, 0.5, 1, 2, 3', 'count: 4000, length: 32'));
      const out = path.join(dir, 'queued');
      const own = await startRedis();
      let worker = await startWorker(own.url, fast);
      let restarted: Redis | undefined;
      try {
        const coordinator = cli('run', file, '--out', out, '--queue', own.url);
        await until(() => completeTasks(out) >= 1, 90_000, 'a collected task');
        await own.stop(); // Redis dies (SIGKILL): its jobs are gone with it
        const result = await coordinator;
        expect(result.code).toBe(EXIT.failed);
        expect(result.stderr).toMatch(
          new RegExp(
            `error: --queue ${own.url}: the connection to Redis was lost during the run .* run the same command again`,
          ),
        );
        const collected = completeTasks(out);
        expect(collected).toBeGreaterThanOrEqual(1);
        expect(JSON.parse(read(out, 'study.resolved.json')).status).toBe('interrupted');
        expect(read(out).trim().split('\n')).toHaveLength(10 * collected);
        // Redis back (empty) on the same port: the jobs it lost are enqueued again.
        restarted = await startRedis(own.port);
        await stopProcess(worker.child);
        worker = await startWorker(own.url, fast);
        const again = await cli('run', file, '--out', out, '--queue', own.url);
        expect(again.code).toBe(EXIT.ok);
        expect(again.stdout).toMatch(new RegExp(`\\(${collected} resumed from an earlier run\\)`));
      } finally {
        await stopProcess(worker.child);
        await restarted?.stop();
        await own.stop();
      }
      expect(read(out)).toBe(read(path.join(dir, 'local')));
    }, 240_000);

    it('reports a task that fails with a user error, naming its task and parameter, and does not retry it', async () => {
      const dir = tmp();
      const file = path.join(dir, 'study.yaml');
      // The two-coupling flow runs off to infinite coupling by step 13 at K = 0.6 (its ln Z is then undefined).
      fs.writeFileSync(
        file,
        `name: overflow-queued
backend: cpu
systems:
  - name: lattice
    use: ising-2d
    params: { K: 0.6, flow: two-coupling, steps: 4 }
probes:
  - name: kl
    use: relative-entropy
sweep:
  systems.lattice.params.steps: [4, 13]
`,
      );
      const worker = await startWorker(redis.url);
      try {
        const result = await cli('run', file, '--out', path.join(dir, 'out'), '--queue', redis.url);
        expect(result.code).toBe(EXIT.failed);
        expect(result.stderr).toMatch(/error: task 2\/2 \(lattice systems\.lattice\.params\.steps=13\) failed: \S/);
        const resolved = JSON.parse(read(path.join(dir, 'out'), 'study.resolved.json'));
        expect(resolved.status).toBe('failed');
        expect(resolved.tasks.complete).toBe(1);
        expect(worker.log().match(/started task 2\/2/g)).toHaveLength(1); // one attempt only
        expect(worker.log().match(/failed task 2\/2/g)).toHaveLength(1);
      } finally {
        await stopProcess(worker.child, 'SIGTERM');
      }
    }, 120_000);

    it('returns jobs a worker of another version cannot reproduce to the queue, for a worker that can', async () => {
      const dir = tmp();
      const file = await withLocalRun(dir, study('versions', '0.5, 1'));
      const mine = versionStamp();
      const other = {
        ...mine,
        versions: { ...mine.versions, '@entroscope/core': `${mine.versions['@entroscope/core']}-other` },
      };
      const logs: string[] = [];
      const stop = new AbortController();
      const stranger = runQueueWorker({
        url: redis.url,
        concurrency: 1,
        log: (line) => logs.push(line),
        signal: stop.signal,
        stamp: other,
        name: 'stranger',
      });
      let result: { processed: number; failed: number; refused: number } | undefined;
      let worker: WorkerProcess | undefined;
      try {
        await until(() => logs.some((l) => l.includes('waiting for jobs')), 30_000, 'the stranger worker');
        const coordinator = cli('run', file, '--out', path.join(dir, 'queued'), '--queue', redis.url);
        await until(() => logs.some((l) => l.includes('returned task')), 60_000, 'a refusal');
        worker = await startWorker(redis.url);
        const queued = await coordinator;
        expect(queued.code).toBe(EXIT.ok);
        expect(queued.stderr).toMatch(
          /warning: worker stranger returned task \d\/2 \(chain systems\.chain\.params\.K=[\d.]+\) to the queue: the job was made by other package versions: @entroscope\/core 0\.1\.0 \(here 0\.1\.0-other\)/,
        );
      } finally {
        stop.abort();
        result = await stranger;
        if (worker) await stopProcess(worker.child, 'SIGTERM');
      }
      expect(result.processed).toBe(0);
      expect(result.refused).toBeGreaterThanOrEqual(1);
      expect(read(path.join(dir, 'queued'))).toBe(read(path.join(dir, 'local')));
    }, 180_000);

    it('says clearly when Redis is unreachable, and writes no results', async () => {
      const dir = tmp();
      const file = path.join(dir, 'study.yaml');
      fs.writeFileSync(file, study('unreachable', '1'));
      const port = await freePort();
      const url = `redis://127.0.0.1:${port}`;
      process.env['ENTROSCOPE_QUEUE_CONNECT_MS'] = '1000';
      try {
        const result = await cli('run', file, '--out', path.join(dir, 'out'), '--queue', url);
        expect(result.code).toBe(EXIT.failed);
        expect(result.stderr).toMatch(new RegExp(`error: --queue ${url}: Redis does not answer there`));
        expect(fs.existsSync(path.join(dir, 'out', 'results.jsonl'))).toBe(false);
        const worker = await cli('worker', '--queue', url);
        expect(worker.code).toBe(EXIT.failed);
        expect(worker.stderr).toMatch(new RegExp(`error: --queue ${url}: Redis does not answer there`));
        const scheme = await cli('worker', '--queue', 'http://127.0.0.1:1');
        expect(scheme.stderr).toMatch(/error: --queue http:\/\/127\.0\.0\.1:1: expected a URL redis:\/\/HOST:PORT/);
      } finally {
        delete process.env['ENTROSCOPE_QUEUE_CONNECT_MS'];
      }
    }, 30_000);
  },
);
