// Faults on the coordinator's side of a queued run (npm run test:long): the coordinator killed mid-run resumes
// from the folder and the queue; Redis lost mid-run ends with a clear error and keeps what was collected, and a
// run against a restarted (empty) Redis completes with results identical to the in-process run.
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { EXIT } from '../cli';
import {
  Redis,
  bin,
  cli,
  completeTasks,
  expectEachMeasurementOnce,
  fast,
  queueSuite,
  read,
  skipReason,
  startRedis,
  startWorker,
  stopProcess,
  study,
  tmp,
  until,
  useRedis,
  withLocalRun,
} from './queue.spec-helper';

queueSuite(`coordinator and Redis faults of a queued run${skipReason}`, () => {
  const shared = useRedis();
  let redis: Redis;
  beforeAll(() => {
    redis = shared.redis();
  });

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
});
