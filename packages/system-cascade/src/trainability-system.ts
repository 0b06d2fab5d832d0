import { Observable } from 'rxjs';
import {
  METRICS_KIND,
  z,
  type MetricValue,
  type Observation,
  type RandomStream,
  type RunContext,
  type System,
  type SystemDescriptor,
} from '@entroscope/core';
import { kernelsFor, type KernelBackend } from '@entroscope/kernels';
import { imageDatasetSchema, openImageDataset } from '@entroscope/datasets';
import {
  Sgd,
  crossEntropyOnSoftmax,
  evaluateClassifier,
  labelledExamples,
  minibatches,
  mlp,
  normal,
  normalFanIn,
  trainEpoch,
  type Examples,
  type Labels,
} from '@entroscope/nn';
import { cascadeWidths } from './cascade-widths';
import { poolImages } from './image-source';

const trainingSchema = z
  .object({
    lr: z.number().positive().default(1e-3).describe('SGD learning rate (the code: 1e-3, no momentum)'),
    batchSize: z.number().int().min(1).default(64).describe('Minibatch size (the code: 64, shuffled)'),
    maxEpochs: z.number().int().min(1).max(1000).default(200).describe('Epoch budget (the code: 200)'),
    threshold: z
      .number()
      .min(0)
      .max(1)
      .default(0.4)
      .describe(
        'A network is trainable when its test accuracy exceeds this after some epoch (the code: 0.4 on grey CIFAR-10); training stops there',
      ),
    trainImages: z
      .union([z.number().int().min(1), z.literal('all')])
      .default('all')
      .describe("First N images of the training split, or 'all'"),
    testImages: z
      .union([z.number().int().min(1), z.literal('all')])
      .default('all')
      .describe("First N images of the test split, or 'all'"),
  })
  .strict();

export const trainabilityParamsSchema = z
  .object({
    sigmaW2: z
      .number()
      .positive()
      .max(100)
      .default(1.76)
      .describe('Weight variance σ_w² at initialisation (grid protocol; the search protocol lists its own)'),
    sigmaB2: z.number().min(0).max(100).default(0.05).describe('Bias variance σ_b²'),
    widths: z
      .enum(['wide', 'shrinking'])
      .default('shrinking')
      .describe("Width schedule of the cascade paper's Network ('shrinking' in its trainability runs)"),
    data: imageDatasetSchema
      .default({ source: 'mnist', pixelScale: 'byte/255', colour: 'pil-luma' })
      .describe('Labelled images'),
    pool: z
      .number()
      .int()
      .min(1)
      .max(8)
      .default(1)
      .describe('k×k average pooling of the (square) images: 1 = none (the paper)'),
    training: trainingSchema.default({
      lr: 1e-3,
      batchSize: 64,
      maxEpochs: 200,
      threshold: 0.4,
      trainImages: 'all',
      testImages: 'all',
    }),
    protocol: z
      .discriminatedUnion('use', [
        z
          .object({
            use: z.literal('grid'),
            depths: z
              .array(z.number().int().min(2).max(1000))
              .min(1)
              .describe('Depths trained, each from a fresh initialisation (no search)'),
            seeds: z
              .number()
              .int()
              .min(1)
              .max(100)
              .default(3)
              .describe('Independent networks (initialisation and minibatch order) per depth'),
          })
          .strict(),
        z
          .object({
            use: z.literal('search'),
            sigmaW2: z
              .array(z.number().positive().max(100))
              .min(1)
              .describe('σ_w² in visiting order (the code: from 1.7 in steps of 0.1 in one direction)'),
            startDepth: z.number().int().min(2).max(1000).default(150).describe('Depth tried first (the code: 150)'),
            depthStep: z.number().int().min(1).default(5).describe('Depth decrement after a failure (the code: 5)'),
            minDepth: z
              .number()
              .int()
              .min(2)
              .default(2)
              .describe('Smallest depth tried; below it the point is untrainable'),
          })
          .strict(),
      ])
      .default({ use: 'grid', depths: [10, 20, 30], seeds: 3 })
      .describe(
        "'grid': every depth trained independently, several seeds; 'search': the authors' monotone depth search (depth only decreases along the σ_w² list; one seed)",
      ),
  })
  .strict();
export type TrainabilityParams = z.infer<typeof trainabilityParamsSchema>;

interface TrainingOutcome {
  readonly accuracies: number[];
  readonly reached: boolean;
  readonly macs: number;
}

/**
 * Ground truth for the cascade's prediction: the deep networks themselves trained as in the cascade paper's
 * code (measurements/collect_falling.py; src/network.py `Network.training`): Linear + tanh at every layer, a final
 * softmax, `cross_entropy` applied to the softmax output (crossEntropyOnSoftmax), plain SGD, batch 64, test
 * accuracy (argmax) after every epoch, stop as soon as it exceeds the threshold or after the epoch budget.
 * Emits `metrics` observations (axis `run`: one per trained network; axis `summary`: the trainable depth).
 * Cost in multiply–accumulates: 3 × the forward MACs per training image (forward, ∂W, ∂x) plus the forward
 * MACs of every test evaluation.
 */
export class TrainabilitySystem implements System {
  constructor(
    private readonly params: TrainabilityParams,
    private readonly context: RunContext,
  ) {}

  observe(): Observable<Observation> {
    return new Observable<Observation>((subscriber) => {
      const run = async () => {
        const p = this.params;
        const { signal } = this.context;
        signal.throwIfAborted();
        const kernels = kernelsFor(this.context.backend);
        const train = loadExamples(p, 'train');
        const test = loadExamples(p, 'test');
        const emit = (
          axis: string,
          index: number,
          label: string,
          metrics: MetricValue[],
          meta: Record<string, unknown>,
        ) =>
          subscriber.next({
            system: this.context.name,
            site: { axis, index, label },
            kind: METRICS_KIND,
            shape: [],
            metrics,
            meta,
          });
        const outcomeMetrics = (o: TrainingOutcome, depth: number): MetricValue[] => [
          {
            name: 'final-test-accuracy',
            value: o.accuracies[o.accuracies.length - 1]!,
            unit: 'dimensionless',
            n: test.count,
            description: 'test accuracy (argmax) after the last epoch trained',
          },
          {
            name: 'best-test-accuracy',
            value: Math.max(...o.accuracies),
            unit: 'dimensionless',
            n: test.count,
            description: 'highest test accuracy over the epochs trained',
          },
          {
            name: 'trainable',
            value: o.reached ? 1 : 0,
            unit: 'dimensionless',
            n: null,
            description: `1 when the test accuracy exceeded ${p.training.threshold} within ${p.training.maxEpochs} epochs`,
          },
          {
            name: 'epochs',
            value: o.accuracies.length,
            unit: 'epoch',
            n: null,
            description: 'epochs trained (stops at the threshold)',
          },
          { name: 'depth', value: depth, unit: 'layer', n: null, description: "the code's depth argument" },
          {
            name: 'training-macs',
            value: o.macs,
            unit: 'MAC',
            n: null,
            description: 'multiply–accumulates of training and per-epoch test evaluation',
          },
        ];
        if (p.protocol.use === 'grid') {
          const { depths, seeds } = p.protocol;
          const sorted = [...new Set(depths)].sort((a, b) => a - b);
          let k = 0;
          let total = 0;
          let trainableDepth = 0;
          const majority: number[] = [];
          for (const depth of sorted) {
            let reached = 0;
            for (let s = 0; s < seeds; s++) {
              const outcome = await trainNetwork(
                p,
                p.sigmaW2,
                depth,
                train,
                test,
                kernels,
                this.context.random.split(`depth:${depth}`).split(`seed:${s}`),
                signal,
                (f, m) =>
                  this.context.progress?.(
                    (k + f) / (sorted.length * seeds),
                    `depth ${depth}, seed ${s + 1}/${seeds}: ${m}`,
                  ),
              );
              total += outcome.macs;
              if (outcome.reached) reached++;
              emit('run', k, `depth ${depth}, seed ${s}`, outcomeMetrics(outcome, depth), {
                sigmaW2: p.sigmaW2,
                sigmaB2: p.sigmaB2,
                depth,
                seed: s,
                accuracies: outcome.accuracies,
              });
              k++;
            }
            majority.push(reached / seeds);
            if (2 * reached > seeds) trainableDepth = depth;
          }
          emit(
            'summary',
            0,
            'trainable depth',
            [
              {
                name: 'trainable-depth',
                value: trainableDepth,
                unit: 'layer',
                n: seeds,
                description: `largest depth of the grid at which most of the ${seeds} networks exceeded the threshold (0: none)`,
              },
              {
                name: 'ground-truth-macs',
                value: total,
                unit: 'MAC',
                n: null,
                description: 'multiply–accumulates of all trainings of this σ_w²',
              },
            ],
            { sigmaW2: p.sigmaW2, sigmaB2: p.sigmaB2, depths: sorted, fractionTrainable: majority },
          );
          return;
        }
        // The authors' search: depth only decreases along the σ_w² list (a protocol artefact; docs/cascade.md).
        const search = p.protocol;
        const { startDepth, depthStep, minDepth } = search;
        let depth = startDepth;
        for (const [i, sigmaW2] of search.sigmaW2.entries()) {
          let macs = 0;
          let trainings = 0;
          let last: TrainingOutcome | undefined;
          while (depth >= minDepth) {
            last = await trainNetwork(
              p,
              sigmaW2,
              depth,
              train,
              test,
              kernels,
              this.context.random.split(`search:${i}`).split(`depth:${depth}`),
              signal,
              (f, m) =>
                this.context.progress?.((i + f) / search.sigmaW2.length, `σ_w² = ${sigmaW2}, depth ${depth}: ${m}`),
            );
            macs += last.macs;
            trainings++;
            if (last.reached) break;
            depth -= depthStep;
          }
          const reached = last?.reached ?? false;
          emit(
            'search',
            i,
            `σ_w² = ${sigmaW2}`,
            [
              {
                name: 'trainable-depth',
                value: reached ? depth : 0,
                unit: 'layer',
                n: 1,
                description: `depth reached by the monotone search (start ${startDepth}, step ${depthStep}); 0 when even depth ${minDepth} failed`,
              },
              {
                name: 'best-test-accuracy',
                value: last ? Math.max(...last.accuracies) : 0,
                unit: 'dimensionless',
                n: test.count,
                description: 'best test accuracy of the last network trained at this σ_w²',
              },
              {
                name: 'trainings',
                value: trainings,
                unit: 'network',
                n: null,
                description: 'networks trained at this σ_w²',
              },
              {
                name: 'ground-truth-macs',
                value: macs,
                unit: 'MAC',
                n: null,
                description: 'multiply–accumulates of the trainings at this σ_w²',
              },
            ],
            { sigmaW2, sigmaB2: p.sigmaB2 },
          );
          if (!reached) depth = Math.max(depth, minDepth);
        }
      };
      run().then(
        () => subscriber.complete(),
        (error) => subscriber.error(error),
      );
    });
  }
}

function loadExamples(p: TrainabilityParams, split: 'train' | 'test'): Examples<Labels> & { count: number } {
  const set = openImageDataset(p.data, split);
  try {
    const wanted = split === 'train' ? p.training.trainImages : p.training.testImages;
    const count = wanted === 'all' ? set.count : wanted;
    if (count > set.count)
      throw new RangeError(`training.${split}Images: ${count} requested, ${set.description} has ${set.count}`);
    const raw = set.readImages(0, count);
    if (p.pool === 1) return labelledExamples(raw, set.pixels, set.readLabels(0, count));
    const pixels = set.pixels / (p.pool * p.pool);
    const pooled = new Float32Array(count * pixels);
    poolImages(raw, count, set.pixels, p.pool, pooled, set.description);
    return labelledExamples(pooled, pixels, set.readLabels(0, count));
  } finally {
    set.close();
  }
}

async function trainNetwork(
  p: TrainabilityParams,
  sigmaW2: number,
  depth: number,
  train: Examples<Labels>,
  test: Examples<Labels>,
  kernels: KernelBackend,
  random: RandomStream,
  signal: AbortSignal,
  progress: (fraction: number, message: string) => void,
): Promise<TrainingOutcome> {
  const widths = cascadeWidths(p.widths, depth, train.inputSize);
  const model = mlp({
    widths,
    activation: 'tanh',
    outputActivation: 'tanh',
    weightInit: normalFanIn(sigmaW2),
    biasInit: normal(p.sigmaB2),
    random: random.split('init'),
  });
  const optimiser = new Sgd({ lr: p.training.lr });
  let forwardMacs = 0;
  for (let l = 0; l + 1 < widths.length; l++) forwardMacs += widths[l]! * widths[l + 1]!;
  const accuracies: number[] = [];
  let macs = 0;
  for (let e = 0; e < p.training.maxEpochs; e++) {
    const batches = minibatches(train.count, p.training.batchSize, {
      shuffle: true,
      random: random.split(`epoch:${e}`),
    });
    await trainEpoch({
      model,
      loss: crossEntropyOnSoftmax,
      optimiser,
      examples: train,
      batches,
      kernels,
      signal,
      progress: (f) => progress((e + f) / p.training.maxEpochs, `epoch ${e + 1}`),
    });
    const { accuracy } = await evaluateClassifier(model, test, kernels, { loss: crossEntropyOnSoftmax });
    macs += 3 * forwardMacs * train.count + forwardMacs * test.count;
    accuracies.push(accuracy);
    if (accuracy > p.training.threshold) return { accuracies, reached: true, macs };
  }
  return { accuracies, reached: false, macs };
}

export const trainabilityDescriptor: SystemDescriptor<TrainabilityParams> = {
  id: 'cascade-trainability',
  version: '1.0.0',
  summary:
    "Trains the cascade paper's deep tanh networks (SGD, double softmax) over depths to measure which are trainable: the ground truth of the cascade prediction",
  citation:
    'Y. Thurn, R. Jefferson, J. Erdmenger, arXiv:2406.12916 (code: YanickT/Infoflow-paper measurements/collect_falling.py)',
  display: {
    name: 'Trained deep network (ground truth)',
    parameters: {
      sigmaW2: { name: 'weight variance', symbol: 'σ_w²' },
      sigmaB2: { name: 'bias variance', symbol: 'σ_b²' },
      widths: { name: 'widths' },
      pool: { name: 'pooling' },
      'data.source': { name: 'data' },
      'training.lr': { name: 'learning rate', symbol: 'η' },
      'training.batchSize': { name: 'batch size' },
      'training.maxEpochs': { name: 'epoch budget' },
      'training.threshold': { name: 'accuracy threshold' },
      'training.trainImages': { name: 'training images' },
      'training.testImages': { name: 'test images' },
      'protocol.use': { name: 'protocol' },
      'protocol.seeds': { name: 'seeds per depth' },
    },
    axes: { run: { name: 'trained network' }, summary: { name: 'summary' }, search: { name: 'search step' } },
    values: {
      wide: 'wide',
      shrinking: 'shrinking',
      grid: 'independent grid',
      search: "authors' monotone search",
      mnist: 'MNIST',
      'fashion-mnist': 'Fashion-MNIST',
      cifar10: 'CIFAR-10 (grey)',
    },
  },
  paramsSchema: trainabilityParamsSchema,
  provides: () => ({ axes: ['run', 'summary', 'search'], kinds: [METRICS_KIND], exact: [] }),
  create: (params, context) => new TrainabilitySystem(params, context),
};
