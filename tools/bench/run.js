#!/usr/bin/env node
// Benchmark harness: every workload in TypeScript (@entroscope/kernels, built) and in the project's NumPy
// reference (tools/bench/reference.py, single-thread BLAS), alternating repetitions in one sitting.
// Writes bench/results.json and bench/results.md, and regenerates the README performance section between
// <!-- bench:start --> and <!-- bench:end -->. Not part of `npm test`; usage: npm run bench [-- --quick] [-- --only=id,id]
// [-- --no-readme] [-- --wait=seconds] (waits for the 1-minute load average to drop below 1 first; default 300 s)
// [-- --render] (only re-render results.md and the README section from bench/results.json).
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const readline = require('node:readline');

const root = path.resolve(__dirname, '..', '..');
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = (args.find((a) => a.startsWith('--only=')) || '').slice(7).split(',').filter(Boolean);
const noReadme = args.includes('--no-readme');

/**
 * Workloads: `reps` timed repetitions each side (after setup + warm-up). `numpy` names the reference workload
 * and `perNumpy` how many NumPy repetitions one TypeScript repetition equals (multispin: 32 replicas).
 * `target`: the issue's goal for the ratio TypeScript / NumPy (lower is better), when it sets one.
 */
const workloads = [
  { id: 'matmul-512', what: 'dense matmul 512³ float32', reps: 30 },
  { id: 'matmul-1024', what: 'dense matmul 1024³ float32', reps: 15, target: 3 },
  {
    id: 'mlp-train-step',
    what: '784-512-784 MLP, batch 128: one SGD step (forward + backward + update)',
    reps: 30,
    target: 3,
  },
  { id: 'random-mlp-forward', what: 'random tanh MLP forward, width 1000, depth 50, batch 1000', reps: 5, target: 2 },
  {
    id: 'ising-checkerboard-256',
    what: '2D Ising checkerboard Metropolis sweep at K_c, L = 256 (2 threads)',
    reps: 60,
  },
  {
    id: 'ising-checkerboard-1024',
    what: '2D Ising checkerboard Metropolis sweep at K_c, L = 1024 (2 threads)',
    reps: 20,
    target: 0.5,
  },
  {
    id: 'ising-checkerboard-1024-1thread',
    what: 'the same sweep, L = 1024, on one thread',
    reps: 20,
    numpy: 'ising-checkerboard-1024',
  },
  {
    id: 'ising-multispin-1024',
    what: '2D Ising multispin sweep at K_c, L = 1024, 32 replicas (vs 32 NumPy checkerboard sweeps)',
    reps: 15,
    numpy: 'ising-checkerboard-1024',
    perNumpy: 32,
    flips: 32 * 1024 * 1024,
  },
  { id: 'histogram-1e6', what: '100-bin histogram of 1e6 float32 samples', reps: 30 },
  { id: 'histogram-kl-1e6', what: 'two 100-bin histograms of 1e6 samples and their KL divergence', reps: 20 },
].filter((w) => only.length === 0 || only.includes(w.id));

/**
 * Workloads contributed by other packages as standalone scripts that print one JSON line with `flipsPerSecond`
 * (tools/bench/wolff-bench.js and wolff_numpy.py, by the 2D Ising package). Timed as ms per 10^6 flips,
 * alternating, `reps` runs of `seconds` each side. Skipped (and said so) when the scripts are missing.
 */
const scriptWorkloads = [
  {
    id: 'ising-wolff-256',
    what: '2D Ising Wolff cluster updates at K_c, L = 256 (ms per 10⁶ spin flips; scripts by the 2D Ising package)',
    ts: ['node', [path.join(__dirname, 'wolff-bench.js'), '256', '0.4406868', '2']],
    numpy: ['python3', [path.join(__dirname, 'wolff_numpy.py'), '256', '0.4406868', '2']],
    build: 'packages/system-ising/tsconfig.lib.json',
    reps: 3,
  },
  {
    id: 'ising-wolff-1024',
    what: '2D Ising Wolff cluster updates at K_c, L = 1024 (ms per 10⁶ spin flips; scripts by the 2D Ising package)',
    ts: ['node', [path.join(__dirname, 'wolff-bench.js'), '1024', '0.4406868', '2']],
    numpy: ['python3', [path.join(__dirname, 'wolff_numpy.py'), '1024', '0.4406868', '2']],
    build: 'packages/system-ising/tsconfig.lib.json',
    reps: 3,
  },
  {
    id: 'score-network-epoch',
    what: 'Neural Entropy score network ([512, 256], 256 Fourier features, LayerNorm, sigmoid): one DSM training epoch on a D = 6 mixture, N = 2048, batch 32 × 10 throws, Adam (scripts by system-diffusion)',
    ts: ['node', [path.join(__dirname, 'score-network-epoch.js'), '2048', '1']],
    numpy: ['python3', [path.join(__dirname, 'score_network_epoch_numpy.py'), '2048', '1']],
    build: 'packages/system-diffusion/tsconfig.lib.json',
    reps: 3,
    unit: 'ms per epoch',
    target: 2,
  },
  // KSG mutual information (algorithm 1, k = 4, max-norm): @entroscope/estimators (k-d tree, worker threads from
  // 2·10⁴ rows) beside SciPy's cKDTree implementation (tools/bench/ksg_scipy.py). Scripts print {"ms": …}.
  {
    id: 'ksg-1e4-d2',
    what: 'KSG mutual information, N = 10⁴, x and y 1-D each (d = 2), k = 4, vs SciPy cKDTree',
    ts: ['node', [path.join(__dirname, 'ksg-bench.js'), '10000', '1', '1']],
    numpy: ['python3', [path.join(__dirname, 'ksg_scipy.py'), '10000', '1', '1', '1']],
    build: 'packages/estimators/tsconfig.lib.json',
    unit: 'ms',
    reps: 5,
    target: 1,
  },
  {
    id: 'ksg-1e5-d10',
    what: 'KSG mutual information, N = 10⁵, x and y 5-D each (d = 10), k = 4, vs SciPy cKDTree',
    ts: ['node', [path.join(__dirname, 'ksg-bench.js'), '100000', '5', '5']],
    numpy: ['python3', [path.join(__dirname, 'ksg_scipy.py'), '100000', '5', '5', '1']],
    build: 'packages/estimators/tsconfig.lib.json',
    unit: 'ms',
    // Three alternating runs a side (median), so the ratio is not one draw: about 3 × (12 s + 56 s) on 2 cores.
    reps: 3,
    target: 0.5,
  },
  {
    id: 'ksg-4e3-d32',
    what: 'KSG mutual information, N = 4000, x and y 16-D each (d = 32, search auto: the trees, faster than the brute-force scan here), k = 4, vs SciPy cKDTree',
    ts: ['node', [path.join(__dirname, 'ksg-bench.js'), '4000', '16', '16']],
    numpy: ['python3', [path.join(__dirname, 'ksg_scipy.py'), '4000', '16', '16', '1']],
    build: 'packages/estimators/tsconfig.lib.json',
    unit: 'ms',
    reps: 3,
  },
  {
    id: 'cascade-epoch',
    what: 'one epoch of cascade training over 60 000 MNIST images, wide depth 20 (width 784), batch 64: forward, auxiliary map, ∂V and Adam per block (ms per epoch; scripts by the cascade package)',
    ts: ['node', [path.join(__dirname, 'cascade-bench.js'), '60000', '20']],
    // runScript runs every non-node script with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset (numpyEnv), so the
    // script is named directly: an `env -u …` wrapper made the missing-file check look for a file called '-u'.
    numpy: ['python3', [path.join(__dirname, 'cascade_numpy.py'), '60000', '20']],
    build: 'packages/system-cascade/tsconfig.lib.json',
    unit: 'ms per epoch',
    target: 2,
    reps: 2,
  },
  // The replica formula (@entroscope/replica): H(h_3) and I(x; h_3) of a 3-layer network of width 1000 (ReLU,
  // ReLU, linear; spectral weights) beside the NumPy/SciPy second implementation (tools/replica_reference.py).
  {
    id: 'replica-3layer-1000',
    what: 'replica formula, H and I of the last layer of a 3-layer network of width 1000 (ReLU, ReLU, linear, noise 0.01, orthogonally invariant weights), vs the NumPy/SciPy second implementation',
    ts: ['node', [path.join(__dirname, 'replica-bench.js'), '1000']],
    numpy: ['python3', [path.join(__dirname, 'replica_numpy.py'), '1000']],
    build: 'packages/replica/tsconfig.lib.json',
    unit: 'ms',
    reps: 3,
  },
].filter((w) => only.length === 0 || only.includes(w.id));

/**
 * Training epochs of @entroscope/nn (tools/bench/nn-epoch.js): each repetition is one process that trains one
 * MNIST epoch in TypeScript and then (or first, alternating) the same epoch in NumPy (tools/nn_reference.py) from
 * the same initial weights and batch order; it reports both times, the largest loss difference between the two
 * curves and its own memory. `quickCount` images in --quick mode.
 */
const pairedWorkloads = [
  {
    id: 'nn-mnist-epoch-depth20',
    what: 'one MNIST epoch (60k images, batch 64, SGD momentum) through 20 dense tanh layers of width 784, @entroscope/nn vs NumPy',
    args: ['--depth=20'],
    reps: 3,
    quickCount: 6400,
    target: 2,
  },
  {
    id: 'nn-mnist-epoch-3layer',
    what: 'one MNIST epoch through the 3-layer 784-784-400-10 tanh network (loss curves compared: NumPy second implementation)',
    args: ['--depth=3', '--second=400'],
    reps: 3,
    quickCount: 6400,
  },
].filter((w) => only.length === 0 || only.includes(w.id));

/**
 * Queue rows (by the runner's queue, issue 15; docs/distributed.md): tools/bench/queue-bench.js starts its own
 * redis-server and times the built CLI, in-process against BullMQ workers, alternating. No NumPy side: `value` is
 * the overhead per task (ms) or the speed-up with 2 workers on this machine. Needs redis-server.
 */
const queueWorkloads = [
  {
    id: 'queue-overhead-per-task',
    what: 'BullMQ queue overhead per task: 200 tiny tasks (exact 1D Ising relative entropy), 1 worker vs in-process',
    args: ['overhead', '--tasks=200'],
    quickArgs: ['overhead', '--tasks=50'],
    reps: 3,
  },
  {
    id: 'queue-speedup-2-workers',
    what: 'CPU-bound sweep (6 tasks, 3·10⁴ sampled chains each): in-process time / time on the queue with 2 workers',
    args: ['speedup', '--tasks=6', '--samples=30000'],
    quickArgs: ['speedup', '--tasks=4', '--samples=8000'],
    reps: 3,
  },
].filter((w) => only.length === 0 || only.includes(w.id));

/**
 * The environment of every NumPy process: one BLAS thread, and OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE removed
 * (as `env -u` would): the machines set them for older OpenBLAS builds and they force current NumPy onto an
 * older, ~2× slower kernel (docs/kernels.md). The kernel actually used is recorded in results.machine.openblas.
 */
function numpyEnv() {
  const env = { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  return env;
}

function runScript([cmd, argv]) {
  const out = execFileSync(cmd === 'node' ? process.execPath : cmd, argv, {
    encoding: 'utf8',
    env: cmd === 'node' ? { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1' } : numpyEnv(),
  });
  const line = JSON.parse(out.trim().split('\n').pop());
  return line.ms !== undefined ? line.ms : 1e9 / line.flipsPerSecond; // ms (per run, or per 10^6 flips)
}

function stats(ms) {
  const s = [...ms].sort((a, b) => a - b);
  const q = (f) => {
    const x = f * (s.length - 1);
    const lo = Math.floor(x);
    return s[lo] + (s[Math.min(lo + 1, s.length - 1)] - s[lo]) * (x - lo);
  };
  const round = (v) => Math.round(v * 1000) / 1000;
  return {
    n: s.length,
    median: round(q(0.5)),
    p25: round(q(0.25)),
    p75: round(q(0.75)),
    min: round(s[0]),
    max: round(s[s.length - 1]),
  };
}

class NumpyServer {
  constructor() {
    this.proc = spawn('python3', [path.join(__dirname, 'reference.py')], {
      env: numpyEnv(),
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    this.lines = readline.createInterface({ input: this.proc.stdout })[Symbol.asyncIterator]();
  }
  async ask(request) {
    this.proc.stdin.write(`${JSON.stringify(request)}\n`);
    const { value, done } = await this.lines.next();
    if (done) throw new Error('NumPy reference process exited');
    const reply = JSON.parse(value);
    if (reply.error) throw new Error(`reference.py: ${reply.error}`);
    return reply;
  }
  close() {
    this.proc.stdin.end();
  }
}

/** TypeScript / NumPy ratio of the medians (3 decimals) and, when the row has one, whether it meets its target. */
function scoreAgainstTarget(entry, w) {
  entry.ratio = Math.round((entry.typescript.median / entry.numpy.median) * 1000) / 1000;
  if (w.target !== undefined) {
    entry.target = w.target;
    entry.meetsTarget = entry.ratio <= w.target;
  }
}

function markdownTable(results) {
  const fmt = (v) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
  // Rows merged from other sittings (`--only`) name their own date and load average.
  const sitting = (w) =>
    results.mergedFrom && w.measuredAt
      ? ` (measured ${w.measuredAt.slice(0, 16).replace('T', ' ')}${w.loadAverage ? `, load ${w.loadAverage.join('→')}` : ''})`
      : '';
  const failed = results.workloads
    .filter((w) => w.error)
    .map((w) => `- ${w.id}: not measured in this run: ${w.error}`);
  const queueRows = results.workloads
    .filter((w) => w.queue && !w.error)
    .map(
      (w) =>
        `| ${w.what}${sitting(w)} | **${fmt(w.value)}** ${w.unit} | ${w.raw.localMs.map(fmt).join(', ')} | ${w.raw.queueMs.map(fmt).join(', ')} |`,
    );
  const queueTable =
    queueRows.length > 0
      ? [
          '',
          'Distributed runs (BullMQ on a local redis-server; wall times of whole CLI runs in ms, alternating; docs/distributed.md):',
          '',
          '| workload | result | in-process ms | queue ms |',
          '|---|---|---|---|',
          ...queueRows,
        ]
      : [];
  const rows = results.workloads.filter((w) => !w.queue && !w.error).map((w) => {
    const target =
      w.target !== undefined
        ? `≤ ${w.target} ${w.ratio <= w.target ? '✅' : '❌'}`
        : w.flipsPerNs !== undefined
          ? `≥ 1 flip/ns ${w.flipsPerNs >= 1 ? '✅' : '❌'}`
          : '';
    const extra =
      w.flipsPerNs !== undefined
        ? ` (${w.flipsPerNs.toFixed(2)} flips/ns)`
        : w.memory !== undefined
          ? ` (largest loss difference ${w.maxLossDifference.toExponential(1)}; peak RSS ${w.memory.maxRssMiB} MiB, backprop needs ${w.memory.backpropNeedsMiB} MiB)`
          : '';
    return `| ${w.what}${sitting(w)} | ${fmt(w.typescript.median)} [${fmt(w.typescript.p25)}–${fmt(w.typescript.p75)}] | ${fmt(w.numpy.median)} [${fmt(w.numpy.p25)}–${fmt(w.numpy.p75)}] | **${w.ratio.toFixed(2)}**${extra} | ${target} |`;
  });
  return [
    `Measured ${results.date} on ${results.machine.cpu} (${results.machine.cores} cores), Node ${results.machine.node}, NumPy ${results.machine.numpy} with ${results.machine.blas}${results.machine.openblas ? ` (kernel ${results.machine.openblas.kernel}, OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset)` : ''} on 1 thread; TypeScript uses ${results.machine.tsThreads} threads for dense products, the multispin sweep and the rows marked so (the Ising engines' results do not depend on the thread count). Times in ms: median [25th–75th percentile] of alternating repetitions in one run (\`npm run bench\`, raw data in bench/results.json). Ratio = TypeScript / NumPy medians (lower is better). The machine is shared: 1-minute load average ${results.machine.loadAverageAtStart[0]} at the start, ${results.machine.loadAverageAtEnd[0]} at the end${results.mergedFrom ? ` of the last run; rows re-measured with --only give their own date and load, the others are from ${results.mergedFrom.join(', ')}` : ''}.`,
    '',
    '| workload | TypeScript ms | NumPy ms | ratio TS / NumPy | target |',
    '|---|---|---|---|---|',
    ...rows,
    ...queueTable,
    ...(failed.length > 0 ? ['', ...failed] : []),
  ].join('\n');
}

/** The machine is shared: wait (up to `--wait=<seconds>`, default 300) until the 1-minute load average is below 1. */
async function waitForQuiet() {
  const limit = Number((args.find((a) => a.startsWith('--wait=')) || '--wait=300').slice(7));
  const start = Date.now();
  while (os.loadavg()[0] >= 1 && Date.now() - start < limit * 1000) {
    process.stdout.write(`load average ${os.loadavg()[0].toFixed(2)} ≥ 1: waiting for a quieter machine …\r`);
    await new Promise((resolve) => setTimeout(resolve, 5000));
  }
  return Math.round((Date.now() - start) / 1000);
}

/** Writes bench/results.md and the README section from a results object. */
function publish(results) {
  const outDir = path.join(root, 'bench');
  fs.mkdirSync(outDir, { recursive: true });
  const table = markdownTable(results);
  fs.writeFileSync(path.join(outDir, 'results.md'), `# Benchmark results\n\n${table}\n`);
  console.log('wrote bench/results.md');
  const readme = path.join(root, 'README.md');
  if (noReadme || !fs.existsSync(readme)) return;
  const text = fs.readFileSync(readme, 'utf8');
  const start = text.indexOf('<!-- bench:start -->');
  const end = text.indexOf('<!-- bench:end -->');
  if (start >= 0 && end > start) {
    fs.writeFileSync(readme, `${text.slice(0, start + '<!-- bench:start -->'.length)}\n${table}\n${text.slice(end)}`);
    console.log('updated the README performance section');
  } else {
    console.log(
      'README.md has no <!-- bench:start --> / <!-- bench:end --> markers: the table is in bench/results.md only',
    );
  }
}

async function main() {
  if (args.includes('--render')) {
    // Re-render bench/results.md and the README section from the committed bench/results.json (no measuring).
    publish(JSON.parse(fs.readFileSync(path.join(root, 'bench', 'results.json'), 'utf8')));
    return;
  }
  const waited = await waitForQuiet();
  console.log('building @entroscope/kernels …');
  execFileSync(
    process.execPath,
    [require.resolve('typescript/bin/tsc'), '-b', path.join(root, 'packages/kernels/tsconfig.lib.json')],
    { stdio: 'inherit' },
  );
  const { factories } = require('./workloads');
  const numpy = new NumpyServer();
  const info = await numpy.ask({ cmd: 'info' });
  const results = {
    date: new Date().toISOString(),
    machine: {
      cpu: os.cpus()[0]?.model ?? 'unknown',
      cores: os.availableParallelism(),
      memoryGiB: Math.round(os.totalmem() / 2 ** 30),
      node: process.versions.node,
      python: info.python,
      numpy: info.numpy,
      blas: info.blas,
      openblas: info.openblas,
      numpyEnv: info.env,
      numpyThreads: 1,
      tsThreads: Math.min(8, os.availableParallelism()),
      loadAverageAtStart: os.loadavg().map((v) => Math.round(v * 100) / 100),
      secondsWaitedForQuiet: waited,
    },
    quick,
    workloads: [],
  };
  // Every row is written to bench/results.partial.json as soon as it is measured, and a row that throws is recorded
  // with its error while the others go on: a crash in one row, or a killed run, loses nothing already measured.
  const partial = path.join(root, 'bench', 'results.partial.json');
  fs.mkdirSync(path.dirname(partial), { recursive: true });
  const record = (entry, startedLoad) => {
    entry.measuredAt = new Date().toISOString();
    entry.loadAverage = [startedLoad, Math.round(os.loadavg()[0] * 100) / 100];
    results.workloads.push(entry);
    fs.writeFileSync(partial, `${JSON.stringify(results, null, 2)}\n`);
  };
  const guarded = async (w, body) => {
    const startedLoad = Math.round(os.loadavg()[0] * 100) / 100;
    try {
      const entry = await body();
      if (entry) record(entry, startedLoad);
    } catch (error) {
      const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
      console.log(`${w.id}: FAILED: ${message}`);
      record({ id: w.id, what: w.what, error: message }, startedLoad);
    }
  };
  for (const w of workloads) await guarded(w, async () => {
    const reps = quick ? Math.max(3, Math.ceil(w.reps / 5)) : w.reps;
    const numpyId = w.numpy ?? w.id;
    const perNumpy = w.perNumpy ?? 1;
    process.stdout.write(`${w.id}: setup … `);
    const ts = factories[w.id]();
    ts.setup();
    for (let i = 0; i < 2; i++) ts.run();
    await numpy.ask({ cmd: 'setup', workload: numpyId });
    const tsMs = [];
    const npMs = [];
    let tsCheck;
    let npCheck;
    for (let r = 0; r < reps; r++) {
      // Alternate which side goes first, so slow drifts of the machine hit both equally.
      const order = r % 2 === 0 ? ['ts', 'np'] : ['np', 'ts'];
      for (const side of order) {
        if (side === 'ts') {
          const t = performance.now();
          tsCheck = ts.run();
          tsMs.push(performance.now() - t);
        } else {
          let total = 0;
          for (let c = 0; c < perNumpy; c++) {
            const reply = await numpy.ask({ cmd: 'run', workload: numpyId });
            total += reply.ms;
            npCheck = reply.check;
          }
          npMs.push(total);
        }
      }
    }
    ts.teardown?.();
    await numpy.ask({ cmd: 'drop', workload: numpyId });
    const entry = {
      id: w.id,
      what: w.what,
      reps,
      typescript: stats(tsMs),
      numpy: stats(npMs),
      ratio: 0,
      check: { typescript: tsCheck, numpy: npCheck },
      raw: {
        typescript: tsMs.map((v) => Math.round(v * 1000) / 1000),
        numpy: npMs.map((v) => Math.round(v * 1000) / 1000),
      },
    };
    scoreAgainstTarget(entry, w);
    if (w.flips) {
      entry.flipsPerNs = Math.round((w.flips / (entry.typescript.median * 1e6)) * 1000) / 1000;
      entry.meetsTarget = entry.flipsPerNs >= 1;
    }
    console.log(
      `TS ${entry.typescript.median} ms, NumPy ${entry.numpy.median} ms, ratio ${entry.ratio}${entry.flipsPerNs ? `, ${entry.flipsPerNs} flips/ns` : ''}`,
    );
    return entry;
  });
  numpy.close();
  for (const w of scriptWorkloads) await guarded(w, async () => {
    const missing = [w.ts[1][0], w.numpy[1][0]].filter((f) => !fs.existsSync(f));
    if (missing.length > 0) throw new Error(`missing ${missing.map((f) => path.relative(root, f)).join(', ')}`);
    process.stdout.write(`${w.id}: `);
    execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-b', path.join(root, w.build)], {
      stdio: 'inherit',
    });
    const reps = quick ? 1 : w.reps;
    const tsMs = [];
    const npMs = [];
    for (let r = 0; r < reps; r++) {
      for (const side of r % 2 === 0 ? ['ts', 'np'] : ['np', 'ts'])
        (side === 'ts' ? tsMs : npMs).push(runScript(side === 'ts' ? w.ts : w.numpy));
    }
    const entry = {
      id: w.id,
      what: w.what,
      reps,
      unit: w.unit ?? 'ms per 10^6 flips',
      typescript: stats(tsMs),
      numpy: stats(npMs),
      ratio: 0,
      raw: { typescript: tsMs, numpy: npMs },
    };
    scoreAgainstTarget(entry, w);
    console.log(`TS ${entry.typescript.median} ${entry.unit}, NumPy ${entry.numpy.median}, ratio ${entry.ratio}`);
    return entry;
  });
  for (const w of pairedWorkloads) await guarded(w, async () => {
    process.stdout.write(`${w.id}: `);
    for (const project of ['packages/nn/tsconfig.lib.json', 'packages/datasets/tsconfig.lib.json'])
      execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-b', path.join(root, project)], {
        stdio: 'inherit',
      });
    const reps = quick ? 1 : w.reps;
    const runs = [];
    for (let r = 0; r < reps; r++) {
      const argv = [
        path.join(__dirname, 'nn-epoch.js'),
        ...w.args,
        ...(quick ? [`--count=${w.quickCount}`] : []),
        ...(r % 2 === 1 ? ['--numpy-first'] : []),
      ];
      const out = execFileSync(process.execPath, argv, { encoding: 'utf8', maxBuffer: 64 << 20 });
      runs.push(JSON.parse(out.trim().split('\n').pop()));
    }
    const entry = {
      id: w.id,
      what: w.what,
      reps,
      images: runs[0].count,
      typescript: stats(runs.map((x) => x.tsMs)),
      numpy: stats(runs.map((x) => x.numpyMs)),
      ratio: 0,
      maxLossDifference: Math.max(...runs.map((x) => x.maxLossDifference)),
      losses: { first: runs[0].firstLoss, last: runs[0].lastLoss },
      memory: runs[0].memory,
      raw: runs,
    };
    scoreAgainstTarget(entry, w);
    console.log(
      `TS ${entry.typescript.median} ms, NumPy ${entry.numpy.median} ms, ratio ${entry.ratio}, max |Δloss| ${entry.maxLossDifference.toExponential(2)}, peak RSS ${entry.memory.maxRssMiB} MiB (backprop needs ${entry.memory.backpropNeedsMiB} MiB)`,
    );
    return entry;
  });
  for (const w of queueWorkloads) await guarded(w, async () => {
    process.stdout.write(`${w.id}: `);
    execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-b', path.join(root, 'tsconfig.json')], {
      stdio: 'inherit',
    });
    const argv = [path.join(__dirname, 'queue-bench.js'), ...(quick ? w.quickArgs : w.args)];
    argv.push(`--reps=${quick ? 1 : w.reps}`);
    const out = JSON.parse(execFileSync(process.execPath, argv, { encoding: 'utf8' }).trim().split('\n').pop());
    console.log(`${out.value} ${out.unit} (in-process ${out.localMs.join(', ')} ms; queue ${out.queueMs.join(', ')} ms)`);
    return { id: w.id, what: w.what, queue: true, value: out.value, unit: out.unit, reps: out.reps, raw: out };
  });
  results.machine.loadAverageAtEnd = os.loadavg().map((v) => Math.round(v * 100) / 100);
  const file = path.join(root, 'bench', 'results.json');
  let published = results;
  if (only.length > 0 && fs.existsSync(file)) {
    // --only re-measures some rows: merge them into the committed results (same order, new rows appended), keeping
    // the other rows with their own dates; the table then says which sitting each row comes from.
    const previous = JSON.parse(fs.readFileSync(file, 'utf8'));
    const fresh = new Map(results.workloads.map((w) => [w.id, w]));
    const stamp = (w) => (w.measuredAt ? w : { ...w, measuredAt: previous.date });
    const merged = previous.workloads.map((w) => fresh.get(w.id) ?? stamp(w));
    for (const w of results.workloads) if (!previous.workloads.some((p) => p.id === w.id)) merged.push(w);
    published = { ...results, workloads: merged, mergedFrom: [...new Set([previous.date, ...(previous.mergedFrom ?? [])])] };
  }
  fs.writeFileSync(file, `${JSON.stringify(published, null, 2)}\n`);
  fs.rmSync(partial, { force: true });
  console.log('wrote bench/results.json');
  publish(published);
  process.exit(0);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
