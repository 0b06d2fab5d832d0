#!/usr/bin/env node
// Queue benchmark (docs/distributed.md), by the runner's queue (issue 15). Starts its own redis-server on a free
// loopback port (no persistence, files in a temporary folder) and times the built CLI (`npm run build` first):
//   overhead: a study of many tiny tasks (exact 1D Ising relative entropy, ~1 ms of work each), in-process vs on
//             the queue with one warmed-up worker; (queue − in-process) / tasks = the queue's overhead per task.
//   speedup:  a CPU-bound sweep (sampled chains, seconds per task), in-process vs on the queue with 2 workers.
// Runs alternate (in-process first on even repetitions), `reps` each, one sitting; medians are compared.
// Usage: node tools/bench/queue-bench.js overhead|speedup [--tasks=N] [--reps=R] [--samples=N]
// Prints one JSON line: { mode, value, unit, local: [ms], queue: [ms], ... }.
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..', '..');
const bin = path.join(root, 'apps', 'runner', 'bin', 'entroscope.js');
const mode = process.argv[2];
const arg = (name, fallback) => {
  const given = process.argv.find((a) => a.startsWith(`--${name}=`));
  return given ? Number(given.split('=')[1]) : fallback;
};
if (mode !== 'overhead' && mode !== 'speedup') {
  console.error('usage: queue-bench.js overhead|speedup [--tasks=N] [--reps=R] [--samples=N]');
  process.exit(2);
}
const tasks = arg('tasks', mode === 'overhead' ? 200 : 6);
const reps = arg('reps', 3);
const samples = arg('samples', 30000);

const freePort = () =>
  new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });

/** Runs the CLI; resolves to its wall time in ms. */
function timed(args) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c) => {
      err += c;
      // A worker that cannot reproduce the jobs (e.g. the checkout was committed after it started) would make the
      // run wait forever: stop with the coordinator's message instead.
      if (/to the queue: /.test(err)) child.kill('SIGTERM');
    });
    child.on('exit', (code) =>
      code === 0
        ? resolve(Number(process.hrtime.bigint() - started) / 1e6)
        : reject(new Error(`entroscope ${args.join(' ')}: exit ${code}\n${err.slice(-2000)}`)),
    );
  });
}

function startWorker(url) {
  const child = spawn(process.execPath, [bin, 'worker', '--queue', url], { stdio: ['ignore', 'ignore', 'pipe'] });
  return new Promise((resolve, reject) => {
    let log = '';
    child.stderr.on('data', (c) => {
      log += c;
      if (log.includes('waiting for jobs')) resolve(child);
    });
    child.on('exit', (code) => reject(new Error(`worker exited (${code}): ${log}`)));
  });
}

const stop = (child) =>
  new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', resolve);
    child.kill('SIGTERM');
  });

/** One task per K value; `sampled`: also a block plug-in estimate from `samples` chains of length 64. */
const study = (name, values, sampled) => `name: ${name}
seed: 3
backend: cpu
systems:
  - name: chain
    use: ising-1d
    params: { K: 1, steps: ${sampled ? 4 : 2}${sampled ? `, samples: { count: ${samples}, length: 64 }` : ''} }
probes:
  - name: kl
    use: relative-entropy${sampled ? '\n    params: { estimator: { use: plug-in-blocks, blockLength: 2, bootstrap: 20 } }' : ''}
sweep:
  systems.chain.params.K: [${values.join(', ')}]
`;

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'entroscope-queue-bench-'));
  const values = Array.from({ length: tasks }, (_, i) => (mode === 'overhead' ? 0.005 * (i + 1) : 0.3 * (i + 1)).toFixed(3));
  const file = path.join(dir, 'study.yaml');
  fs.writeFileSync(file, study(mode, values, mode === 'speedup'));
  const warm = path.join(dir, 'warm.yaml');
  fs.writeFileSync(warm, study('warm', ['0.5', '1', '1.5', '2'], false));
  const port = await freePort();
  const redisDir = path.join(dir, 'redis');
  fs.mkdirSync(redisDir);
  const redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', redisDir], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  await new Promise((resolve, reject) => {
    let out = '';
    redis.stdout.on('data', (c) => {
      out += c;
      if (out.includes('Ready to accept connections')) resolve();
    });
    redis.on('exit', (code) => reject(new Error(`redis-server exited (${code})`)));
  });
  const url = `redis://127.0.0.1:${port}`;
  const workers = await Promise.all(Array.from({ length: mode === 'overhead' ? 1 : 2 }, () => startWorker(url)));
  const local = [];
  const queue = [];
  try {
    // Warm the workers (their task threads start and load the plugins once per process).
    await timed(['run', warm, '--out', path.join(dir, 'warm'), '--queue', url]);
    for (let r = 0; r < reps; r++) {
      const order = r % 2 === 0 ? ['local', 'queue'] : ['queue', 'local'];
      for (const side of order) {
        const out = path.join(dir, `${side}-${r}`);
        if (side === 'local') local.push(await timed(['run', file, '--out', out]));
        else queue.push(await timed(['run', file, '--out', out, '--queue', url]));
      }
    }
    // The queued results are the in-process results, byte for byte.
    for (let r = 0; r < reps; r++) {
      const a = fs.readFileSync(path.join(dir, `local-${r}`, 'results.jsonl'));
      const b = fs.readFileSync(path.join(dir, `queue-${r}`, 'results.jsonl'));
      if (!a.equals(b)) throw new Error(`repetition ${r}: queued results.jsonl differs from the in-process one`);
    }
  } finally {
    await Promise.all(workers.map(stop));
    redis.kill('SIGTERM');
  }
  const median = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  };
  const value = mode === 'overhead' ? (median(queue) - median(local)) / tasks : median(local) / median(queue);
  const round = (v) => Math.round(v * 1000) / 1000;
  console.log(
    JSON.stringify({
      mode,
      value: round(value),
      unit: mode === 'overhead' ? 'ms per task' : '× (in-process time / queue time)',
      tasks,
      reps,
      workers: workers.length,
      ...(mode === 'speedup' && { samples }),
      localMs: local.map(round),
      queueMs: queue.map(round),
      cores: os.availableParallelism(),
      loadAverage: os.loadavg().map((v) => Math.round(v * 100) / 100),
    }),
  );
  fs.rmSync(dir, { recursive: true, force: true });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
