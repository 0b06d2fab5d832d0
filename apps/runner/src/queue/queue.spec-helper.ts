import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { EXIT, main, type CliIo } from '../cli';

// Shared by queue.spec.ts and queue.long.spec.ts. A study's tasks on a BullMQ queue in a local redis-server (started here on a free loopback port, its files in a
// temporary folder, nothing persisted): results.jsonl byte for byte the in-process run's with two workers; a
// worker killed mid-task has its job finished by another, every measurement exactly once; a coordinator killed
// mid-run resumes; Redis lost mid-run keeps what was collected; a failing task is reported and not retried; a
// worker of another version returns its jobs; an unreachable Redis is a clear error. Without redis-server these
// tests are skipped, except under CI (CI=true), where that is a failure.

export const redisServer = (() => {
  try {
    return execFileSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
})();
export const ci = process.env['CI'] === 'true' || process.env['CI'] === '1';
export const bin = path.join(__dirname, '..', '..', 'bin', 'entroscope.js');
export const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'entroscope-queue-'));
export const read = (dir: string, file = 'results.jsonl') => fs.readFileSync(path.join(dir, file), 'utf8');
/** Fast fault detection for the tests: locks of 1.5 s, Redis lost after 1.5 s, reconciliation every 0.5 s. */
export const fast = {
  ENTROSCOPE_QUEUE_LOCK_MS: '1500',
  ENTROSCOPE_QUEUE_LOST_MS: '1500',
  ENTROSCOPE_QUEUE_POLL_MS: '500',
};

export async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), isTty: false };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface Redis {
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

/** Starts redis-server on `port` (a free one by default), loopback only, no persistence, files in a temp folder. */
export async function startRedis(port?: number): Promise<Redis> {
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

export interface WorkerProcess {
  readonly child: ChildProcess;
  log(): string;
}

/** Starts `entroscope worker` (the built CLI); resolves once it waits for jobs. */
export function startWorker(url: string, env: Record<string, string> = {}): Promise<WorkerProcess> {
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

export function stopProcess(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  return new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

/** Resolves when `test()` holds (checked every 20 ms); fails after `ms`. */
export async function until(test: () => boolean, ms: number, what: string): Promise<void> {
  const start = Date.now();
  while (!test()) {
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Tasks recorded complete in a results folder. */
export const completeTasks = (dir: string) => {
  const file = path.join(dir, '.entroscope', 'progress.jsonl');
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).length : 0;
};

/** One task per value of K; each measures exact and sampled relative entropy along 4 RG steps (10 measurements). */
export const study = (name: string, values: string, samples = 'count: 400, length: 16') => `name: ${name}
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
export async function withLocalRun(dir: string, text: string): Promise<string> {
  const file = path.join(dir, 'study.yaml');
  fs.writeFileSync(file, text);
  const local = await cli('run', file, '--out', path.join(dir, 'local'));
  expect(local.code).toBe(EXIT.ok);
  return file;
}

/** Every measurement (task, probe, estimator, site) appears once. */
export function expectEachMeasurementOnce(results: string): void {
  const keys = results
    .trim()
    .split('\n')
    .map((line) => {
      const r = JSON.parse(line) as { task: string; probe: string; estimator: string; site: unknown };
      return JSON.stringify([r.task, r.probe, r.estimator, r.site]);
    });
  expect(new Set(keys).size).toBe(keys.length);
}

export const available = redisServer !== undefined;
/** The queue suites run where redis-server is installed, and always under CI (where its absence fails them). */
export const queueSuite = available || ci ? describe : describe.skip;
export const skipReason = available ? '' : ' (skipped: redis-server is not installed; apt-get install redis-server)';

/** Starts the suite's redis-server (and sets fast fault detection in this process too). */
export function useRedis(): { redis: () => Redis } {
  let redis: Redis | undefined;
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
  return { redis: () => redis! };
}
