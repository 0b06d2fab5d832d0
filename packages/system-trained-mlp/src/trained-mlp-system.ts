import { Observable } from 'rxjs';
import {
  ArgumentError,
  METRICS_KIND,
  z,
  type MetricValue,
  type Observation,
  type RunContext,
  type System,
  type SystemDescriptor,
  type TrainingTime,
} from '@entroscope/core';
import {
  imageDatasetSchema,
  openImageDataset,
  openTwelveBitTask,
  twelveBitTaskSchema,
  type LabelledImages,
} from '@entroscope/datasets';
import { activationDerivativeScalar, fillNormalFast, kernelsFor, type KernelBackend } from '@entroscope/kernels';
import { MeanField, criticalLine } from '@entroscope/mean-field';
import {
  Adam,
  Dense,
  Sgd,
  accuracy,
  crossEntropyFromLogits,
  crossEntropyOnSoftmax,
  minibatches,
  mlp,
  normal,
  normalFanIn,
  trainStep,
  truncatedNormalFanIn,
  type Labels,
  type Loss,
  type Matrix,
  type Optimiser,
  type Sequential,
} from '@entroscope/nn';
import { observeAtSchema, observationSteps } from './observation-times';
import { trainedLayerWidths, trainedWidthsSchema } from './width-schedule';

const range = (what: string, split: 'train' | 'test', offset: number, count: number) =>
  z
    .object({
      split: z.enum(['train', 'test']).default(split).describe(`Split the ${what} images come from`),
      offset: z.number().int().min(0).default(offset).describe('Index of the first image'),
      count: z.number().int().min(1).max(1_000_000).default(count).describe('Number of images'),
    })
    .strict()
    .default({ split, offset, count });

export const trainedMlpParamsSchema = z
  .object({
    sigmaW2: z.number().positive().max(100).describe('Initial weight variance σ_w²: W_ij ~ N(0, σ_w²/n_in)'),
    weightInit: z
      .enum(['normal', 'truncated-normal'])
      .default('normal')
      .describe(
        "'normal': W_ij ~ N(0, σ_w²/n_in); 'truncated-normal': the same normal redrawn outside ±2 SD (TensorFlow's truncated_normal, the information-plane code's initialisation with σ_w² = 1)",
      ),
    sigmaB2: z.number().min(0).max(100).default(0.05).describe('Initial bias variance σ_b²: b_i ~ N(0, σ_b²)'),
    activation: z
      .enum(['tanh', 'relu', 'erf'])
      .default('tanh')
      .describe('Activation φ after every hidden linear layer'),
    outputActivation: z
      .enum(['same', 'none', 'softmax'])
      .default('same')
      .describe(
        "'same': φ after the output layer too (the RG/DNN authors' network: bounded outputs into the loss); 'none': logits; 'softmax': logits into the loss, the last layer's activation recorded as softmax(z) (the information-plane network)",
      ),
    depth: z.number().int().min(1).max(2000).describe('Number of linear layers L: sites layer = 0…L−1'),
    widths: trainedWidthsSchema,
    data: z
      .union([twelveBitTaskSchema, imageDatasetSchema])
      .default({ source: 'mnist', pixelScale: 'byte/255', colour: 'pil-luma' })
      .describe(
        'An image data set ({ source: mnist | fashion-mnist | cifar10 }) or the information-plane 12-bit task ({ source: twelve-bit, file?: var_u.mat, order }): its 4096 rows are both splits, train/test/evaluation take offset ranges of them',
      ),
    train: range('training', 'train', 0, 50_000).describe(
      "Training images (default: MNIST train 0…49 999, the authors' mnist.pkl.gz training set)",
    ),
    validation: z
      .object({
        split: z.enum(['train', 'test']).default('train').describe('Split the validation images come from'),
        offset: z.number().int().min(0).default(50_000).describe('Index of the first image'),
        count: z.number().int().min(1).max(1_000_000).default(10_000).describe('Number of images'),
        batchSize: z.number().int().min(1).default(128).describe('Evaluation batch size (only affects speed)'),
      })
      .strict()
      .nullable()
      .default({ split: 'train', offset: 50_000, count: 10_000, batchSize: 128 })
      .describe(
        "Held-out images for validation-loss/-accuracy after every epoch (default: MNIST train 50 000…59 999, the authors' validation set); `null`: none",
      ),
    test: range('test', 'test', 0, 10_000)
      .nullable()
      .describe(
        'Further held-out images for test-loss/-accuracy after every epoch (default: the MNIST-style test split, 10 000 images); `null`: none',
      ),
    evaluation: range('evaluation', 'train', 59_984, 16).describe(
      "The fixed batch whose layers are emitted (default: the authors' stored tensor, the last batch of 16 of their validation pass)",
    ),
    record: z
      .enum(['pre-activations', 'activations'])
      .default('pre-activations')
      .describe('What each layer site carries: z^ℓ (the authors’ hooks) or φ(z^ℓ)'),
    epochs: z.number().int().min(0).max(100_000).describe('Epochs of training'),
    observeAt: observeAtSchema,
    optimiser: z
      .discriminatedUnion('use', [
        z
          .object({
            use: z.literal('sgd'),
            lr: z.number().positive().default(0.005),
            momentum: z.number().min(0).default(0.8),
            dampening: z.number().min(0).default(0),
            weightDecay: z.number().min(0).default(0),
            nesterov: z.boolean().default(false),
          })
          .strict(),
        z
          .object({
            use: z.literal('adam'),
            lr: z.number().positive().default(0.001),
            betas: z.tuple([z.number().min(0).lt(1), z.number().min(0).lt(1)]).default([0.9, 0.999]),
            eps: z.number().positive().default(1e-8),
            weightDecay: z.number().min(0).default(0),
          })
          .strict(),
      ])
      .default({ use: 'sgd', lr: 0.005, momentum: 0.8, dampening: 0, weightDecay: 0, nesterov: false })
      .describe("Optimiser with PyTorch's update rules (default: the authors' SGD, lr 0.005, momentum 0.8)"),
    loss: z
      .enum(['cross-entropy', 'cross-entropy-on-softmax'])
      .default('cross-entropy')
      .describe(
        "'cross-entropy': PyTorch cross_entropy of the network output (softmax + log-loss of the tanh-bounded outputs, as the authors' F.cross_entropy(model(x))); 'cross-entropy-on-softmax': of softmax(output) (double softmax)",
      ),
    batchSize: z.number().int().min(1).max(100_000).default(64),
    metricsAt: z
      .enum(['every-epoch', 'observed-epochs'])
      .default('every-epoch')
      .describe(
        'When the metrics observation is emitted (and the held-out sets evaluated): after every epoch, or only at the epochs of the layer sweeps (long runs: thousands of epochs)',
      ),
    shuffle: z
      .boolean()
      .default(false)
      .describe('Reshuffle the training images every epoch (seeded); the authors: false'),
    dropLast: z
      .boolean()
      .default(false)
      .describe('Drop the last partial training batch (the authors’ DataLoader keeps it)'),
    pushforward: z
      .object({
        samples: z.number().int().min(2).max(100_000).default(1000).describe('Monte Carlo samples nMC'),
        image: z
          .number()
          .int()
          .default(-1)
          .describe('Row of the evaluation batch whose layer-0 fit is propagated (−1 = last, as the authors)'),
      })
      .strict()
      .optional()
      .describe(
        "At every observed time: propagate nMC samples of the layer-0 Gaussian fit N(μ_0, σ_0²) of one image through the trained layers 1…L−1 (the authors' relative entropy); per-sample sums in meta.pushforward, as random-mlp",
      ),
    jacobian: z
      .object({
        directions: z.number().int().min(1).max(4096).default(8),
        inputs: z.number().int().min(1).max(4096).default(1),
      })
      .strict()
      .optional()
      .describe(
        'At every observed time: forward-mode products J_ℓ u of the trained network (ln‖J_ℓ u‖² in meta.jacobian, as random-mlp)',
      ),
  })
  .strict()
  .superRefine((p, ctx) => {
    if (p.widths.schedule === 'wide' && p.depth < 3)
      ctx.addIssue({ code: 'custom', message: 'expected depth ≥ 3 with the wide schedule', path: ['depth'] });
    if (p.widths.schedule === 'custom' && p.widths.widths.length !== p.depth)
      ctx.addIssue({
        code: 'custom',
        message: `expected ${p.depth} widths (one per layer), got ${p.widths.widths.length}`,
        path: ['widths', 'widths'],
      });
    if (p.observeAt.axis === 'log-epoch' && p.epochs < 1)
      ctx.addIssue({ code: 'custom', message: 'expected epochs ≥ 1 with log-epoch times', path: ['epochs'] });
    if (p.observeAt.axis === 'epoch')
      p.observeAt.at.forEach(
        (e, i) =>
          e > p.epochs &&
          ctx.addIssue({
            code: 'custom',
            message: `expected an epoch ≤ epochs (${p.epochs}), got ${e}`,
            path: ['observeAt', 'at', i],
          }),
      );
  });
export type TrainedMlpParams = z.infer<typeof trainedMlpParamsSchema>;

/** Consecutive or gathered rows of a lazily read image set, as nn examples (labels as Int32Array). */
function lazyExamples(set: LabelledImages, offset: number, count: number) {
  return {
    count,
    inputSize: set.pixels,
    batch(indices: ArrayLike<number>): { input: Matrix; target: Labels } {
      const n = indices.length;
      const first = indices[0]!;
      let consecutive = true;
      for (let i = 1; i < n; i++) if (indices[i] !== first + i) consecutive = false;
      const data = new Float32Array(n * set.pixels);
      const target = new Int32Array(n);
      if (consecutive) {
        set.readImages(offset + first, n, data);
        target.set(set.readLabels(offset + first, n));
      } else {
        for (let i = 0; i < n; i++) {
          set.readImages(offset + indices[i]!, 1, data.subarray(i * set.pixels, (i + 1) * set.pixels));
          target[i] = set.readLabels(offset + indices[i]!, 1)[0]!;
        }
      }
      return { input: { rows: n, cols: set.pixels, data }, target };
    },
  };
}

function checkRange(name: string, set: LabelledImages, r: { offset: number; count: number }) {
  if (r.offset + r.count > set.count)
    throw new ArgumentError(
      `${name} (trained-mlp)`,
      `images inside ${set.description} (0…${set.count - 1})`,
      `offset ${r.offset} + count ${r.count}`,
    );
}

/**
 * A network with the random-mlp architectures (σ_w², σ_b², depth, width schedule, φ after every layer) trained on
 * an image data set with PyTorch's semantics (packages/nn: SGD/Adam, minibatches in order or seeded shuffles,
 * mean cross-entropy), observed at chosen training times. At each time t it emits one sweep of `layer` sites
 * (site.time = { axis: 'epoch' | 'step', index }) with the fixed evaluation batch's pre-activations z^ℓ (or φ(z^ℓ))
 * [B, N_ℓ], float32 — and optionally the RG/DNN authors' Monte Carlo push-forward through the trained weights and
 * forward-mode Jacobian norms, in the same meta fields as `random-mlp`, so every MLP probe runs unchanged. After
 * every epoch (and at initialisation) it emits a `metrics` observation (site epoch e): train-loss and
 * train-accuracy (running means over the epoch's steps, as the logged loss of a PyTorch loop), validation-/test-
 * loss and -accuracy (evaluation mode, whole held-out set). Training images are read batch by batch (memory: the
 * parameters, optimiser state and one batch's back-propagation caches). Reference: Erdmenger, Grosvenor,
 * Jefferson arXiv:2107.06898 (ro-jefferson/entropy_dnn Gaussian_Feedforward.ipynb).
 */
export class TrainedMlpSystem implements System {
  constructor(
    private readonly params: TrainedMlpParams,
    private readonly context: RunContext,
  ) {}

  observe(): Observable<Observation> {
    return new Observable<Observation>((subscriber) => {
      let cancelled = false;
      const sets: LabelledImages[] = [];
      const run = async () => {
        const { signal } = this.context;
        const check = () => {
          if (signal.aborted) throw signal.reason ?? new Error('aborted');
        };
        check();
        const p = this.params;
        const random = this.context.random;
        const kernels = kernelsFor(this.context.backend);
        const bySplit = new Map<'train' | 'test', LabelledImages>();
        const setFor = (requested: 'train' | 'test') => {
          // The 12-bit task's rows are one list for both splits (ranges of it are the train and test sets).
          const split = p.data.source === 'twelve-bit' ? 'train' : requested;
          let s = bySplit.get(split);
          if (!s) {
            s =
              p.data.source === 'twelve-bit'
                ? openTwelveBitTask(p.data, random.split('twelve-bit-order'))
                : openImageDataset(p.data, split);
            sets.push(s);
            bySplit.set(split, s);
          }
          return s;
        };
        const trainSet = setFor(p.train.split);
        checkRange('train', trainSet, p.train);
        const evalSet = setFor(p.evaluation.split);
        checkRange('evaluation', evalSet, p.evaluation);
        const heldOut: { name: string; examples: ReturnType<typeof lazyExamples>; batchSize: number }[] = [];
        if (p.validation) {
          const s = setFor(p.validation.split);
          checkRange('validation', s, p.validation);
          heldOut.push({
            name: 'validation',
            examples: lazyExamples(s, p.validation.offset, p.validation.count),
            batchSize: p.validation.batchSize,
          });
        }
        if (p.test) {
          const s = setFor(p.test.split);
          checkRange('test', s, p.test);
          heldOut.push({ name: 'test', examples: lazyExamples(s, p.test.offset, p.test.count), batchSize: 1000 });
        }
        const nIn = trainSet.pixels;
        const widths = trainedLayerWidths(p.widths, p.depth, nIn);
        const model = mlp({
          widths: [nIn, ...widths],
          activation: p.activation,
          outputActivation: p.outputActivation === 'same' ? p.activation : 'none',
          weightInit:
            p.weightInit === 'truncated-normal' ? truncatedNormalFanIn(Math.sqrt(p.sigmaW2)) : normalFanIn(p.sigmaW2),
          biasInit: normal(p.sigmaB2),
          random: random.split('init'),
        });
        const denseIndex = model.layers.map((l, i) => (l instanceof Dense ? i : -1)).filter((i) => i >= 0);
        const optimiser: Optimiser =
          p.optimiser.use === 'sgd'
            ? new Sgd(p.optimiser)
            : new Adam({ ...p.optimiser, betas: p.optimiser.betas as [number, number] });
        const loss: Loss<Labels> = p.loss === 'cross-entropy' ? crossEntropyFromLogits : crossEntropyOnSoftmax;
        const train = lazyExamples(trainSet, p.train.offset, p.train.count);
        const stepsPerEpoch = p.dropLast
          ? Math.floor(p.train.count / p.batchSize)
          : Math.ceil(p.train.count / p.batchSize);
        const totalSteps = stepsPerEpoch * p.epochs;
        const { axis: timeAxis, steps: observeSteps } = observationSteps(p.observeAt, stepsPerEpoch, p.epochs);
        const tooLate = observeSteps.find((s) => s > totalSteps);
        if (tooLate !== undefined)
          throw new ArgumentError(
            'observeAt (trained-mlp)',
            `times within the ${totalSteps} steps of training (${p.epochs} epochs × ${stepsPerEpoch})`,
            tooLate,
          );

        const evalBatch = lazyExamples(evalSet, p.evaluation.offset, p.evaluation.count).batch(
          Array.from({ length: p.evaluation.count }, (_, i) => i),
        );
        const B = p.evaluation.count;
        let meanSquare = 0;
        for (let i = 0; i < evalBatch.input.data.length; i++)
          meanSquare += evalBatch.input.data[i]! ** 2 / evalBatch.input.data.length;
        const mf = new MeanField(p.activation, p.sigmaW2, p.sigmaB2);
        const summary = mf.summary();
        const qTrajectory = mf.lengthTrajectory(mf.firstLayerVariance(meanSquare), p.depth);
        // The push-forward's mean-field reference uses its own image's ⟨x²⟩ (as random-mlp): D_m depends on it strongly.
        const pfRow = p.pushforward ? ((p.pushforward.image % B) + B) % B : 0;
        let pfMeanSquare = 0;
        for (let j = 0; j < nIn; j++) pfMeanSquare += evalBatch.input.data[pfRow * nIn + j]! ** 2 / nIn;
        const pfTrajectory = mf.lengthTrajectory(mf.firstLayerVariance(pfMeanSquare), p.depth);
        const criticalSigmaW2 = criticalLine(p.activation, p.sigmaB2).sigmaW2;
        const dataDescription = `${evalSet.description} images ${p.evaluation.offset}…${p.evaluation.offset + B - 1}`;
        const finiteOrNull = (v: number) => (Number.isFinite(v) ? v : null);
        // The evaluation rows' input and label beside every layer (same rows, same order): I(X;T) and I(T;Y).
        const variables = {
          input: {
            data: evalBatch.input.data,
            shape: [B, nIn],
            description: `network input x (${dataDescription})`,
          },
          label: {
            data: Int32Array.from(evalBatch.target),
            shape: [B],
            description: `class label y (0…${trainSet.classes - 1})`,
          },
        };

        const emitLayers = async (step: number) => {
          const index = timeAxis === 'epoch' ? step / stepsPerEpoch : step;
          const epochs = step / stepsPerEpoch;
          const time: TrainingTime = {
            axis: timeAxis,
            index,
            label:
              timeAxis === 'epoch'
                ? `epoch ${index}`
                : `step ${index} (epoch ${Number.isInteger(epochs) ? epochs : epochs.toFixed(3)})`,
          };
          const key = `${time.axis}:${time.index}`;
          const outputs = await model.activations(evalBatch.input, kernels);
          const pf = p.pushforward
            ? await this.pushforward(model, outputs[0]!, denseIndex, kernels, random.split(`pushforward:${key}`))
            : undefined;
          const jac = p.jacobian
            ? await this.jacobian(
                model,
                evalBatch.input,
                outputs,
                denseIndex,
                kernels,
                random.split(`jacobian-directions:${key}`),
              )
            : undefined;
          for (let l = 0; l < p.depth; l++) {
            if (cancelled) return;
            const z = outputs[denseIndex[l]!]!;
            const a =
              denseIndex[l]! + 1 < outputs.length && !(model.layers[denseIndex[l]! + 1] instanceof Dense)
                ? outputs[denseIndex[l]! + 1]!
                : z;
            const data =
              p.record === 'pre-activations'
                ? z.data
                : p.outputActivation === 'softmax' && l === p.depth - 1
                  ? await kernels.softmax(z.data, B, widths[l]!)
                  : a.data;
            subscriber.next({
              system: this.context.name,
              site: { axis: 'layer', index: l, label: `layer ${l} (N=${widths[l]})`, time },
              kind: p.record,
              data,
              shape: [B, widths[l]!],
              variables,
              meta: {
                width: widths[l],
                fanIn: l === 0 ? nIn : widths[l - 1],
                depth: p.depth,
                sigmaW2: p.sigmaW2,
                sigmaB2: p.sigmaB2,
                activation: p.activation,
                inputs: dataDescription,
                training: { step, epochs, optimiser: optimiser.id, loss: loss.id, batchSize: p.batchSize },
                // Mean field describes the network at initialisation (random weights); after training it is a reference only.
                meanField: {
                  ...summary,
                  qStar: finiteOrNull(summary.qStar),
                  xiC: finiteOrNull(summary.xiC),
                  sixXiC: finiteOrNull(summary.sixXiC),
                  xiQ: finiteOrNull(summary.xiQ),
                  criticalSigmaW2,
                  q: qTrajectory[l]!,
                  pairCorrelation: null,
                  jacobianLogSquaredNormPerNeuron: null,
                  describes: 'initialisation',
                },
                ...(pf && {
                  pushforward: {
                    ...pf.common,
                    rowSums: pf.rowSums[l],
                    rowSquareSums: pf.rowSquareSums[l],
                    meanFieldQ: pfTrajectory[l]!,
                    meanFieldQ0: pfTrajectory[0]!,
                  },
                }),
                ...(jac && {
                  jacobian: {
                    inputs: jac.inputs,
                    directions: jac.directions,
                    inputDimension: nIn,
                    logSquaredNorms: jac.logSquaredNorms[l],
                  },
                }),
              },
            });
          }
        };
        const evaluate = async (): Promise<MetricValue[]> => {
          const out: MetricValue[] = [];
          for (const h of heldOut) {
            let lossSum = 0;
            let correct = 0;
            for (let start = 0; start < h.examples.count; start += h.batchSize) {
              check();
              const n = Math.min(h.batchSize, h.examples.count - start);
              const { input, target } = h.examples.batch(Array.from({ length: n }, (_, i) => start + i));
              const output = await model.forward(input, { kernels, training: false });
              lossSum += loss.evaluate(output, target).loss * n;
              correct += Math.round(accuracy(output, target) * n);
            }
            const acc = correct / h.examples.count;
            out.push({
              name: `${h.name}-loss`,
              value: lossSum / h.examples.count,
              unit: 'nat',
              n: h.examples.count,
              description: `mean ${loss.id} over the ${h.name} images, evaluation mode, after the epoch`,
            });
            out.push({
              name: `${h.name}-accuracy`,
              value: acc,
              unit: 'dimensionless',
              n: h.examples.count,
              uncertainty: Math.sqrt((acc * (1 - acc)) / h.examples.count),
              description: `fraction of ${h.name} images whose largest output is the label`,
            });
          }
          return out;
        };
        const metricEpochs = new Set(observeSteps.filter((s) => s % stepsPerEpoch === 0).map((s) => s / stepsPerEpoch));
        const wantMetrics = (epoch: number) => p.metricsAt === 'every-epoch' || metricEpochs.has(epoch);
        const emitMetrics = (epoch: number, metrics: MetricValue[]) => {
          if (metrics.length === 0) return;
          const time: TrainingTime = { axis: 'epoch', index: epoch, label: `epoch ${epoch}` };
          subscriber.next({
            system: this.context.name,
            site: { axis: 'epoch', index: epoch, label: `epoch ${epoch}`, time },
            kind: METRICS_KIND,
            shape: [],
            metrics,
            meta: { epoch, steps: epoch * stepsPerEpoch },
          });
        };

        // Running training accuracy from the output of each training forward (the last layer's hook).
        let batchLabels: Labels = [];
        let correctInEpoch = 0;
        model.addForwardHook((e) => {
          if (e.training && e.index === model.layers.length - 1)
            correctInEpoch += Math.round(accuracy(e.output, batchLabels) * e.output.rows);
        });
        let next = 0;
        if (observeSteps[next] === 0) {
          await emitLayers(0);
          next++;
        }
        if (wantMetrics(0)) emitMetrics(0, await evaluate());
        let step = 0;
        for (let epoch = 1; epoch <= p.epochs; epoch++) {
          const batches = minibatches(p.train.count, p.batchSize, {
            shuffle: p.shuffle,
            dropLast: p.dropLast,
            ...(p.shuffle && { random: random.split(`shuffle:${epoch}`) }),
          });
          let lossSum = 0;
          let seen = 0;
          correctInEpoch = 0;
          for (const indices of batches) {
            if (cancelled) return;
            check();
            const { input, target } = train.batch(indices);
            batchLabels = target;
            lossSum += (await trainStep(model, loss, optimiser, input, target, kernels)) * indices.length;
            seen += indices.length;
            step++;
            this.context.progress?.(step / Math.max(totalSteps, 1), `epoch ${epoch}/${p.epochs}, step ${step}`);
            while (next < observeSteps.length && observeSteps[next] === step) {
              await emitLayers(step);
              next++;
            }
          }
          if (!wantMetrics(epoch)) continue;
          emitMetrics(epoch, [
            {
              name: 'train-loss',
              value: lossSum / seen,
              unit: 'nat',
              n: seen,
              description: `mean ${loss.id} of the epoch's training batches, each before its update (running loss)`,
            },
            {
              name: 'train-accuracy',
              value: correctInEpoch / seen,
              unit: 'dimensionless',
              n: seen,
              description:
                "fraction of the epoch's training images classified correctly by the forward pass of their step (running accuracy)",
            },
            ...(await evaluate()),
          ]);
        }
        subscriber.complete();
      };
      run()
        .catch((error) => subscriber.error(error))
        .finally(() => sets.forEach((s) => s.close()));
      return () => {
        cancelled = true;
      };
    });
  }

  /** The authors' push-forward of the layer-0 fit of one image through the (trained) layers 1…L−1. */
  private async pushforward(
    model: Sequential,
    z0: Matrix,
    denseIndex: number[],
    kernels: KernelBackend,
    random: ReturnType<RunContext['random']['split']>,
  ) {
    const p = this.params.pushforward!;
    const N = z0.cols;
    const image = ((p.image % z0.rows) + z0.rows) % z0.rows;
    const row = z0.data.subarray(image * N, (image + 1) * N);
    let mean = 0;
    for (let i = 0; i < N; i++) mean += row[i]! / N;
    let variance = 0;
    for (let i = 0; i < N; i++) variance += (row[i]! - mean) ** 2 / N;
    let x: Matrix = {
      rows: p.samples,
      cols: N,
      data: fillNormalFast(random, new Float32Array(p.samples * N), mean, Math.sqrt(variance)),
    };
    const sums = (m: Matrix) => {
      const s1: number[] = new Array(m.rows);
      const s2: number[] = new Array(m.rows);
      for (let r = 0; r < m.rows; r++) {
        let a = 0;
        let b = 0;
        for (let i = r * m.cols; i < (r + 1) * m.cols; i++) {
          a += m.data[i]!;
          b += m.data[i]! * m.data[i]!;
        }
        s1[r] = a;
        s2[r] = b;
      }
      return [s1, s2] as const;
    };
    const rowSums: number[][] = [];
    const rowSquareSums: number[][] = [];
    [rowSums[0], rowSquareSums[0]] = sums(x);
    for (let i = denseIndex[0]! + 1; i < model.layers.length; i++) {
      x = await model.layers[i]!.forward(x, { kernels, training: false });
      const l = denseIndex.indexOf(i);
      if (l >= 0) [rowSums[l], rowSquareSums[l]] = sums(x);
    }
    return {
      common: { image, samples: p.samples, referenceLayer: 0, referenceMean: mean, referenceVariance: variance },
      rowSums,
      rowSquareSums,
    };
  }

  /** Forward-mode J_ℓ u for u ~ N(0, I) at the first rows of the evaluation batch, renormalised per layer. */
  private async jacobian(
    model: Sequential,
    input: Matrix,
    outputs: Matrix[],
    denseIndex: number[],
    kernels: KernelBackend,
    random: ReturnType<RunContext['random']['split']>,
  ) {
    const p = this.params.jacobian!;
    const R = Math.min(p.inputs, input.rows);
    const K = p.directions;
    const T = R * K;
    const dphi = activationDerivativeScalar(this.params.activation);
    let tangents = fillNormalFast(random, new Float32Array(T * input.cols));
    const logNorms = new Float64Array(T);
    const out: number[][] = [];
    let fanIn = input.cols;
    for (let l = 0; l < denseIndex.length; l++) {
      const dense = model.layers[denseIndex[l]!] as Dense;
      const N = dense.outputSize;
      let source = tangents;
      if (l > 0) {
        const zPrev = outputs[denseIndex[l - 1]!]!;
        source = new Float32Array(T * fanIn);
        for (let t = 0; t < T; t++) {
          const r = Math.floor(t / K);
          for (let j = 0; j < fanIn; j++)
            source[t * fanIn + j] = dphi(zPrev.data[r * fanIn + j]!) * tangents[t * fanIn + j]!;
        }
      }
      const w = await dense.weight.weight(kernels);
      const next = await kernels.matmul(source, w, T, fanIn, N, { transposeB: true });
      for (let t = 0; t < T; t++) {
        let s = 0;
        for (let i = t * N; i < (t + 1) * N; i++) s += next[i]! * next[i]!;
        logNorms[t] += Math.log(s);
        const scale = s > 0 ? 1 / Math.sqrt(s) : 0;
        for (let i = t * N; i < (t + 1) * N; i++) next[i] = next[i]! * scale;
      }
      out.push(Array.from(logNorms));
      tangents = next;
      fanIn = N;
    }
    return { inputs: R, directions: K, logSquaredNorms: out };
  }
}

export const trainedMlpDescriptor: SystemDescriptor<TrainedMlpParams> = {
  id: 'trained-mlp',
  version: '1.0.0',
  summary:
    'Deep MLP with the random-mlp architectures trained on MNIST / Fashion-MNIST / CIFAR-10 (SGD or Adam, PyTorch semantics): per-layer pre-activations at chosen epochs or steps, plus loss and accuracy per epoch',
  citation:
    'Erdmenger, Grosvenor, Jefferson arXiv:2107.06898 (ro-jefferson/entropy_dnn Gaussian_Feedforward.ipynb); Schoenholz et al. arXiv:1611.01232',
  display: {
    name: 'Trained MLP',
    parameters: {
      sigmaW2: { symbol: 'σ_w²' },
      sigmaB2: { symbol: 'σ_b²' },
      depth: { symbol: 'L', name: 'depth' },
      epochs: { name: 'epochs' },
    },
    axes: { layer: { name: 'layer', symbol: 'ℓ' }, epoch: { name: 'epoch' } },
  },
  paramsSchema: trainedMlpParamsSchema as unknown as z.ZodType<TrainedMlpParams>,
  provides: (params) => ({ axes: ['layer', 'epoch'], kinds: [params.record, METRICS_KIND], exact: [] }),
  create: (params, context) => new TrainedMlpSystem(params, context),
};
