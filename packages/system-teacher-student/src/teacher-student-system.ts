import { Observable } from 'rxjs';
import {
  METRICS_KIND,
  z,
  type MetricValue,
  type Observation,
  type RunContext,
  type SeparablePrior,
  type StochasticLayer,
  type StochasticNetworkExact,
  type System,
  type SystemDescriptor,
  type TrainingTime,
} from '@entroscope/core';
import { kernelsFor } from '@entroscope/kernels';
import {
  Activation,
  Adam,
  Dense,
  Sequential,
  Sgd,
  SpectralWeight,
  meanSquaredError,
  minibatches,
  regressionExamples,
  trainStep,
  type Layer,
  type Matrix,
  type Optimiser,
} from '@entroscope/nn';
import { ScaleLayer } from './scale-layer';
import {
  applyChannel,
  gaussianSingularValues,
  haarOrthonormalColumns,
  preActivations,
  samplePrior,
  usvProduct,
  usvSpectrum,
  type Channel,
} from './usv-layer';

const channelSchema = z.enum(['linear', 'relu', 'probit']);
const width = z.number().int().min(1).max(4096);

export const separablePriorSchema = z
  .discriminatedUnion('kind', [
    z
      .object({
        kind: z.literal('normal'),
        mean: z.number().default(0),
        variance: z.number().positive().default(1),
      })
      .strict(),
    z.object({ kind: z.literal('bimodal'), pPlus: z.number().gt(0).lt(1).default(0.5).describe('P(x = +1)') }).strict(),
    z
      .object({
        kind: z.literal('spike-and-slab'),
        density: z.number().gt(0).max(1).describe('P(x ≠ 0)'),
        mean: z.number().default(0),
        variance: z.number().positive().default(1),
      })
      .strict(),
  ])
  .default({ kind: 'normal', mean: 0, variance: 1 })
  .describe(
    'Separable prior of every input component: { kind: normal, mean, variance }, { kind: bimodal, pPlus } (x = ±1) or { kind: spike-and-slab, density, mean, variance } (0 with probability 1 − density, else normal)',
  );

export const teacherStudentParamsSchema = z
  .object({
    inputDimension: width.default(100).describe('n₀: components of the input x'),
    prior: separablePriorSchema,
    teacher: z
      .object({
        widths: z
          .array(width)
          .min(1)
          .default([1])
          .describe('Teacher layer sizes after the input; the last is the target dimension'),
        channel: channelSchema.default('relu').describe('Channel of the teacher’s hidden layers'),
        output: z
          .enum(['linear', 'probit'])
          .default('probit')
          .describe("Teacher output: 'probit' labels y = sign(z + √Δ ξ) ∈ {−1, +1}; 'linear' targets y = z + √Δ ξ"),
        weightVariance: z.number().positive().default(1).describe('Teacher weights i.i.d. N(0, σ²/n_in)'),
        noiseVariance: z.number().min(0).default(0).describe('Δ of every teacher channel'),
      })
      .strict()
      .default({ widths: [1], channel: 'relu', output: 'probit', weightVariance: 1, noiseVariance: 0 }),
    student: z
      .object({
        widths: z.array(width).min(1).describe('Student layer sizes n_1…n_L (sites layer = 1…L)'),
        channel: channelSchema.default('relu').describe('Channel of the student’s hidden layers'),
        outputChannel: channelSchema.default('linear').describe('Channel of the student’s last layer'),
        noiseVariance: z
          .union([z.number().min(0), z.array(z.number().min(0))])
          .default(1e-3)
          .describe('Δ_ℓ of each student channel (one number for all layers, or one per layer)'),
        innerNoise: z
          .boolean()
          .default(false)
          .describe(
            "false: the network is noiseless and each layer's noise is observation noise only (T_ℓ = channel of the noiseless z_ℓ; the replica formula's MI is then exact and KDE centres exist); true: the noise propagates (a Markov chain x → T_1 → … → T_L)",
          ),
        initialSpectrum: z
          .discriminatedUnion('kind', [
            z.object({ kind: z.literal('gaussian'), variance: z.number().positive().default(1) }).strict(),
            z.object({ kind: z.literal('constant'), value: z.number().positive() }).strict(),
          ])
          .default({ kind: 'gaussian', variance: 1 })
          .describe(
            "Initial singular values s: 'gaussian' those of a drawn N(0, variance/n_in) matrix (Marchenko–Pastur spectrum); 'constant' all equal",
          ),
      })
      .strict(),
    evaluation: z
      .object({ count: z.number().int().min(2).max(100_000).default(500).describe('Rows of the fixed evaluation set') })
      .strict()
      .default({ count: 500 })
      .describe('The fixed inputs (drawn from the prior, their own stream) whose layers are emitted'),
    training: z
      .object({
        trainSize: z.number().int().min(1).max(1_000_000).default(1000),
        testSize: z.number().int().min(1).max(1_000_000).default(2000),
        epochs: z.number().int().min(0).max(100_000),
        batchSize: z.number().int().min(1).max(1_000_000).default(50),
        shuffle: z.boolean().default(true).describe('Seeded reshuffle every epoch'),
        optimiser: z
          .discriminatedUnion('use', [
            z
              .object({
                use: z.literal('sgd'),
                lr: z.number().positive().default(0.01),
                momentum: z.number().min(0).default(0.9),
              })
              .strict(),
            z
              .object({
                use: z.literal('adam'),
                lr: z.number().positive().default(0.001),
                betas: z.tuple([z.number().min(0).lt(1), z.number().min(0).lt(1)]).default([0.9, 0.999]),
                eps: z.number().positive().default(1e-8),
              })
              .strict(),
          ])
          .default({ use: 'adam', lr: 0.001, betas: [0.9, 0.999], eps: 1e-8 }),
        observeAt: z
          .discriminatedUnion('axis', [
            z.object({ axis: z.literal('epoch'), at: z.array(z.number().int().min(0)).min(1) }).strict(),
            z.object({ axis: z.literal('log-epoch'), count: z.number().int().min(2).max(1000) }).strict(),
          ])
          .default({ axis: 'log-epoch', count: 6 })
          .describe(
            'Epochs of the layer sweeps: { axis: epoch, at: [0, 1, 10] } or { axis: log-epoch, count } (log-spaced 1…epochs, plus 0)',
          ),
      })
      .strict()
      .nullable()
      .default(null)
      .describe(
        'null: the untrained student only (one layer sweep, no time); else train on teacher data (MSE on y, PyTorch semantics)',
      ),
  })
  .strict()
  .superRefine((p, ctx) => {
    const L = p.student.widths.length;
    const nv = p.student.noiseVariance;
    if (Array.isArray(nv) && nv.length !== L)
      ctx.addIssue({
        code: 'custom',
        message: `expected ${L} noise variances (one per student layer), got ${nv.length}`,
        path: ['student', 'noiseVariance'],
      });
    const deltas = Array.isArray(nv) ? nv : p.student.widths.map(() => nv);
    p.student.widths.forEach((_, l) => {
      const channel = l === L - 1 ? p.student.outputChannel : p.student.channel;
      if (channel !== 'probit' && !((deltas[l] ?? 1) > 0))
        ctx.addIssue({
          code: 'custom',
          message: `expected Δ > 0 for the ${channel} layer ${l + 1} (a noiseless continuous layer has infinite I(X;T))`,
          path: ['student', 'noiseVariance', ...(Array.isArray(nv) ? [l] : [])],
        });
      if (channel === 'probit' && p.training && !((deltas[l] ?? 1) > 0))
        ctx.addIssue({
          code: 'custom',
          message: `expected Δ > 0 for the probit layer ${l + 1} when training (it is trained through its mean erf(z/√(2Δ)))`,
          path: ['student', 'noiseVariance', ...(Array.isArray(nv) ? [l] : [])],
        });
    });
    if (p.training) {
      const out = p.teacher.widths[p.teacher.widths.length - 1]!;
      if (p.student.widths[L - 1] !== out)
        ctx.addIssue({
          code: 'custom',
          message: `expected the student's last width to equal the teacher's target dimension ${out}, got ${p.student.widths[L - 1]}`,
          path: ['student', 'widths', L - 1],
        });
      const t = p.training;
      if (t.observeAt.axis === 'epoch')
        t.observeAt.at.forEach(
          (e, i) =>
            e > t.epochs &&
            ctx.addIssue({
              code: 'custom',
              message: `expected an epoch ≤ epochs (${t.epochs}), got ${e}`,
              path: ['training', 'observeAt', 'at', i],
            }),
        );
    }
  });
export type TeacherStudentParams = z.infer<typeof teacherStudentParamsSchema>;

/** Sorted distinct epochs of the layer sweeps. */
export function observationEpochs(
  observeAt: NonNullable<TeacherStudentParams['training']>['observeAt'],
  epochs: number,
) {
  const set = new Set<number>();
  if (observeAt.axis === 'epoch') observeAt.at.forEach((e) => set.add(e));
  else {
    set.add(0);
    if (epochs >= 1)
      for (let i = 0; i < observeAt.count; i++)
        set.add(Math.round(Math.exp((Math.log(epochs) * i) / (observeAt.count - 1))));
  }
  return [...set].sort((a, b) => a - b);
}

/** One student layer: fixed float64 U (out×r) and V (in×r), the nn layer whose singular values are trained. */
interface StudentLayer {
  readonly inputs: number;
  readonly outputs: number;
  readonly channel: Channel;
  readonly noiseVariance: number;
  readonly u: Float64Array;
  readonly v: Float64Array;
  readonly weight: SpectralWeight;
}

/** The teacher: Gaussian i.i.d. weights and its channels; `apply` draws its noise from `random`. */
class Teacher {
  private readonly weights: Float64Array[] = [];
  constructor(
    private readonly spec: TeacherStudentParams['teacher'],
    private readonly n0: number,
    random: RandomRandom,
  ) {
    let fanIn = n0;
    spec.widths.forEach((n, l) => {
      const r = random.split(`layer:${l + 1}`);
      const sd = Math.sqrt(spec.weightVariance / fanIn);
      const w = new Float64Array(n * fanIn);
      for (let i = 0; i < w.length; i++) w[i] = sd * r.normal();
      this.weights.push(w);
      fanIn = n;
    });
  }
  apply(x: Float64Array, rows: number, random: RandomRandom): Float64Array {
    let h = x;
    let fanIn = this.n0;
    const L = this.spec.widths.length;
    this.spec.widths.forEach((n, l) => {
      const z = preActivations(h, rows, this.weights[l]!, n, fanIn);
      const channel: Channel = l === L - 1 ? this.spec.output : this.spec.channel;
      h = applyChannel(z, channel, this.spec.noiseVariance, random.split(`layer:${l + 1}`));
      fanIn = n;
    });
    return h;
  }
}
type RandomRandom = RunContext['random'];

/**
 * The teacher–student setting of Gabrié et al., "Entropy and mutual information in models of deep neural networks"
 * (NeurIPS 2018, arXiv:1805.09785), §4: inputs x ∈ ℝ^{n₀} from a separable prior (normal, bimodal ±1,
 * spike-and-slab), targets from a teacher network with Gaussian i.i.d. weights (probit labels or linear targets), and
 * a student network of "USV layers" W_ℓ = U_ℓ·diag(s_ℓ)·V_ℓᵀ with U_ℓ, V_ℓ fixed Haar-random orthogonal (float64) and
 * only s_ℓ trained (packages/nn SpectralWeight, MSE on y, SGD or Adam), so every W_ℓ stays orthogonally invariant and
 * the replica formula applies throughout training. Each student layer is a noisy channel (linear, ReLU, probit with
 * Gaussian noise of variance Δ_ℓ). At chosen epochs (or once, untrained) it emits one sweep of sites layer = 1…L:
 * samples of T_ℓ for a fixed evaluation set (float64, one noise draw per row), the variables `input` (X), `target`
 * (the teacher's Y) and, where the layer's conditional law given X is N(noiseless, Δ_ℓ I), `noiseless`; and `exact`,
 * the StochasticNetworkExact of x → T_ℓ (prior, the first ℓ layers with spectrum s² as 'orthogonally-invariant',
 * channel, noise, the realised float64 weights). After every epoch (and at 0) a `metrics` observation: train-loss,
 * test-loss (MSE, evaluation mode, whole sets) and for probit teachers train-error and test-error (the
 * generalisation error: fraction of test labels whose sign the student gets wrong).
 */
export class TeacherStudentSystem implements System {
  constructor(
    private readonly params: TeacherStudentParams,
    private readonly context: RunContext,
  ) {}

  observe(): Observable<Observation> {
    return new Observable<Observation>((subscriber) => {
      let cancelled = false;
      const run = async () => {
        const { signal } = this.context;
        const check = () => {
          if (signal.aborted) throw signal.reason ?? new Error('aborted');
        };
        check();
        const p = this.params;
        const random = this.context.random;
        const n0 = p.inputDimension;
        const prior = p.prior as SeparablePrior;
        const L = p.student.widths.length;
        const nv = p.student.noiseVariance;
        const deltas = Array.isArray(nv) ? nv : p.student.widths.map(() => nv);
        const teacher = new Teacher(p.teacher, n0, random.split('teacher'));
        const dimY = p.teacher.widths[p.teacher.widths.length - 1]!;

        // Student: fixed orthogonal U, V in float64; the nn layer trains s on float32 copies of them.
        const initRandom = random.split('student');
        const layers: StudentLayer[] = [];
        const netLayers: Layer[] = [];
        let fanIn = n0;
        p.student.widths.forEach((n, l) => {
          const r = initRandom.split(`layer:${l + 1}`);
          const rank = Math.min(n, fanIn);
          const u = haarOrthonormalColumns(n, rank, r.split('U'));
          const v = haarOrthonormalColumns(fanIn, rank, r.split('V'));
          const spectrum = p.student.initialSpectrum;
          const s0 =
            spectrum.kind === 'gaussian'
              ? gaussianSingularValues(n, fanIn, spectrum.variance, r.split('s'))
              : new Float64Array(rank).fill(spectrum.value);
          const weight = new SpectralWeight(
            n,
            fanIn,
            Float32Array.from(u),
            Float32Array.from(v),
            Float32Array.from(s0),
          );
          const channel: Channel = l === L - 1 ? p.student.outputChannel : p.student.channel;
          layers.push({ inputs: fanIn, outputs: n, channel, noiseVariance: deltas[l]!, u, v, weight });
          netLayers.push(new Dense(fanIn, n, { weight, biasInit: null }));
          if (channel === 'relu') netLayers.push(new Activation('relu', n));
          else if (channel === 'probit') {
            netLayers.push(new ScaleLayer(n, 1 / Math.sqrt(2 * deltas[l]!)), new Activation('erf', n));
          }
          fanIn = n;
        });
        const model = new Sequential(netLayers);

        const B = p.evaluation.count;
        const evalX = samplePrior(prior, B, n0, random.split('evaluation:x'));
        const evalY = teacher.apply(evalX, B, random.split('evaluation:teacher-noise'));

        const emitLayers = (time: TrainingTime | undefined) => {
          const key = time ? `${time.axis}:${time.index}` : 'untrained';
          const noise = random.split(`layer-noise:${key}`);
          let noisy = evalX;
          let clean = evalX;
          const innerLayers: StochasticLayer[] = [];
          for (let l = 0; l < L; l++) {
            check();
            if (cancelled) return;
            const layer = layers[l]!;
            const s = Float64Array.from(layer.weight.singularValues.value);
            const w = usvProduct(layer.outputs, layer.inputs, layer.u, layer.v, s);
            const spectrum = usvSpectrum(layer.inputs, s);
            const source = p.student.innerNoise ? noisy : clean;
            const z = preActivations(source, B, w, layer.outputs, layer.inputs);
            const sample = applyChannel(z, layer.channel, layer.noiseVariance, noise.split(`layer:${l + 1}`));
            const noiseless = applyChannel(z, layer.channel, 0, null);
            // Exact model of x → T_ℓ: the earlier layers in their inner form (their noise only when it propagates),
            // then this layer with its noise.
            const observedLayer: StochasticLayer = {
              inputs: layer.inputs,
              outputs: layer.outputs,
              ensemble: { kind: 'orthogonally-invariant', spectrum },
              channel: layer.channel,
              noiseVariance: layer.noiseVariance,
              weights: w,
            };
            const exact: StochasticNetworkExact = {
              type: 'stochastic-network',
              prior,
              inputDimension: n0,
              layers: [...innerLayers, observedLayer],
            };
            // T_ℓ | X ~ N(noiseless, Δ I) when nothing noisy comes before and the channel adds its noise after φ.
            const gaussianGivenX = layer.channel !== 'probit' && (l === 0 || !p.student.innerNoise);
            let meanEigenvalue = 0;
            for (const e of spectrum) meanEigenvalue += e / spectrum.length;
            subscriber.next({
              system: this.context.name,
              site: {
                axis: 'layer',
                index: l + 1,
                label: `T${l + 1} (n=${layer.outputs})`,
                ...(time && { time }),
              },
              kind: 'activations',
              data: sample,
              shape: [B, layer.outputs],
              exact,
              variables: {
                input: { data: evalX, shape: [B, n0], description: 'network input x (the evaluation set)' },
                target: {
                  data: evalY,
                  shape: [B, dimY],
                  description:
                    p.teacher.output === 'probit' ? 'teacher label y ∈ {−1, +1}' : 'teacher target y (linear output)',
                },
                ...(gaussianGivenX && {
                  noiseless: {
                    data: noiseless,
                    shape: [B, layer.outputs],
                    description: `the layer without its noise (T_ℓ | X = N(noiseless, ${layer.noiseVariance}·I))`,
                  },
                  // In noise units: T_ℓ/√Δ_ℓ | X = N(centres, I). I(X;T_ℓ) is invariant under the scaling, so
                  // pairwise-distance (KDE) bounds with variance 1 on these centres serve every Δ of a sweep.
                  centres: {
                    data: noiseless.map((v) => v / Math.sqrt(layer.noiseVariance)),
                    shape: [B, layer.outputs],
                    description:
                      'the noiseless layer in units of the noise standard deviation (T_ℓ/√Δ_ℓ | X = N(centres, I))',
                  },
                }),
              },
              meta: {
                width: layer.outputs,
                fanIn: layer.inputs,
                depth: L,
                channel: layer.channel,
                noiseVariance: layer.noiseVariance,
                innerNoise: p.student.innerNoise,
                meanEigenvalue,
                inputDimension: n0,
                prior,
                teacher: p.teacher,
                evaluationRows: B,
                ...(time && { epoch: time.index }),
              },
            });
            innerLayers.push({ ...observedLayer, noiseVariance: p.student.innerNoise ? layer.noiseVariance : 0 });
            noisy = sample;
            clean = noiseless;
          }
        };

        if (!p.training) {
          emitLayers(undefined);
          this.context.progress?.(1, 'untrained student');
          subscriber.complete();
          return;
        }

        const t = p.training;
        const kernels = kernelsFor(this.context.backend);
        const toF32 = (a: Float64Array) => Float32Array.from(a);
        const trainX = samplePrior(prior, t.trainSize, n0, random.split('train:x'));
        const trainY = teacher.apply(trainX, t.trainSize, random.split('train:teacher-noise'));
        const testX = samplePrior(prior, t.testSize, n0, random.split('test:x'));
        const testY = teacher.apply(testX, t.testSize, random.split('test:teacher-noise'));
        const train = regressionExamples(toF32(trainX), n0, toF32(trainY), dimY);
        const test = regressionExamples(toF32(testX), n0, toF32(testY), dimY);
        const optimiser: Optimiser =
          t.optimiser.use === 'sgd'
            ? new Sgd({ lr: t.optimiser.lr, momentum: t.optimiser.momentum })
            : new Adam({ lr: t.optimiser.lr, betas: t.optimiser.betas as [number, number], eps: t.optimiser.eps });
        const observed = new Set(observationEpochs(t.observeAt, t.epochs));
        const classification = p.teacher.output === 'probit';

        const evaluate = async (name: 'train' | 'test', set: typeof train, y: Float64Array): Promise<MetricValue[]> => {
          let squares = 0;
          let wrong = 0;
          const size = 1000;
          for (let start = 0; start < set.count; start += size) {
            check();
            const n = Math.min(size, set.count - start);
            const { input } = set.batch(Array.from({ length: n }, (_, i) => start + i));
            const out: Matrix = await model.forward(input, { kernels, training: false });
            for (let i = 0; i < n * dimY; i++) {
              const target = y[start * dimY + i]!;
              squares += (out.data[i]! - target) ** 2;
              if (classification && (out.data[i]! >= 0 ? 1 : -1) !== target) wrong++;
            }
          }
          const values = set.count * dimY;
          const metrics: MetricValue[] = [
            {
              name: `${name}-loss`,
              value: squares / values,
              unit: 'dimensionless',
              n: set.count,
              description: `mean squared error of the student's output against the teacher's y over the ${set.count} ${name} examples (evaluation mode)`,
            },
          ];
          if (classification) {
            const e = wrong / values;
            metrics.push({
              name: `${name}-error`,
              value: e,
              unit: 'dimensionless',
              n: set.count,
              uncertainty: Math.sqrt((e * (1 - e)) / values),
              description:
                name === 'test'
                  ? `generalisation error: fraction of the ${set.count} fresh test labels whose sign the student's output gets wrong`
                  : `fraction of the ${set.count} training labels whose sign the student's output gets wrong`,
            });
          }
          return metrics;
        };
        const emitMetrics = async (epoch: number, extra: MetricValue[]) => {
          const time: TrainingTime = { axis: 'epoch', index: epoch, label: `epoch ${epoch}` };
          subscriber.next({
            system: this.context.name,
            site: { axis: 'epoch', index: epoch, label: `epoch ${epoch}`, time },
            kind: METRICS_KIND,
            shape: [],
            metrics: [...extra, ...(await evaluate('train', train, trainY)), ...(await evaluate('test', test, testY))],
            meta: { epoch },
          });
        };
        const at = (epoch: number): TrainingTime => ({ axis: 'epoch', index: epoch, label: `epoch ${epoch}` });

        if (observed.has(0)) emitLayers(at(0));
        await emitMetrics(0, []);
        const stepsPerEpoch = Math.ceil(t.trainSize / t.batchSize);
        for (let epoch = 1; epoch <= t.epochs; epoch++) {
          const batches = minibatches(t.trainSize, t.batchSize, {
            shuffle: t.shuffle,
            ...(t.shuffle && { random: random.split(`shuffle:${epoch}`) }),
          });
          let running = 0;
          let seen = 0;
          for (const indices of batches) {
            check();
            if (cancelled) return;
            const { input, target } = train.batch(indices);
            running += (await trainStep(model, meanSquaredError, optimiser, input, target, kernels)) * indices.length;
            seen += indices.length;
          }
          if (observed.has(epoch)) emitLayers(at(epoch));
          await emitMetrics(epoch, [
            {
              name: 'train-loss-running',
              value: running / seen,
              unit: 'dimensionless',
              n: seen,
              description: "mean MSE of the epoch's minibatches, each before its update",
            },
          ]);
          this.context.progress?.(epoch / t.epochs, `epoch ${epoch}/${t.epochs} (${stepsPerEpoch} steps each)`);
        }
        subscriber.complete();
      };
      run().catch((error) => subscriber.error(error));
      return () => {
        cancelled = true;
      };
    });
  }
}

export const teacherStudentDescriptor: SystemDescriptor<TeacherStudentParams> = {
  id: 'teacher-student',
  version: '1.0.0',
  summary:
    'Teacher–student networks of Gabrié et al. (2018): separable-prior inputs, teacher labels, students of USV layers (W = U·diag(s)·Vᵀ, only s trained) with noisy linear/ReLU/probit channels; per-layer samples with the exact stochastic-network description, and train/test error per epoch',
  citation:
    'Gabrié, Manoel, Luneau, Barbier, Macris, Krzakala, Zdeborová, NeurIPS 2018, arXiv:1805.09785; docs/replica-learning.md',
  display: {
    name: 'Teacher–student USV network',
    parameters: {
      inputDimension: { name: 'input dimension', symbol: 'n₀' },
      'student.widths': { name: 'student widths', symbol: 'n_ℓ' },
      'student.noiseVariance': { name: 'noise variance', symbol: 'Δ' },
      'student.channel': { name: 'channel' },
      'student.innerNoise': { name: 'inner noise' },
      'teacher.output': { name: 'teacher output' },
      'training.epochs': { name: 'epochs' },
      'evaluation.count': { name: 'evaluation rows', symbol: 'N' },
    },
    axes: { layer: { name: 'layer', symbol: 'ℓ' }, epoch: { name: 'epoch' } },
  },
  paramsSchema: teacherStudentParamsSchema as unknown as z.ZodType<TeacherStudentParams>,
  provides: (params) =>
    params.training
      ? { axes: ['layer', 'epoch'], kinds: ['activations', METRICS_KIND], exact: ['stochastic-network'] }
      : { axes: ['layer'], kinds: ['activations'], exact: ['stochastic-network'] },
  create: (params, context) => new TeacherStudentSystem(params, context),
};
