// A study's tasks on a BullMQ queue in a local redis-server (queue.spec-helper.ts): results.jsonl byte for byte
// the in-process run's with two workers; a worker killed mid-task has its job finished by another, every
// measurement exactly once; a failing task is reported and not retried; a worker of another version returns its
// jobs; an unreachable Redis is a clear error. Coordinator crash and Redis loss: queue.long.spec.ts.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Queue } from 'bullmq';
import { EXIT } from '../cli';
import { QUEUE_NAME, connectionOptions } from './queue-connection';
import { versionStamp } from './queue-jobs';
import { runQueueWorker } from './queue-worker';
import {
  Redis,
  WorkerProcess,
  cli,
  completeTasks,
  expectEachMeasurementOnce,
  fast,
  freePort,
  queueSuite,
  read,
  skipReason,
  startWorker,
  stopProcess,
  study,
  tmp,
  until,
  useRedis,
  withLocalRun,
} from './queue.spec-helper';

queueSuite(`tasks on a Redis/BullMQ queue${skipReason}`, () => {
  const shared = useRedis();
  let redis: Redis;
  beforeAll(() => {
    redis = shared.redis();
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
});
