import { Observable } from 'rxjs';
import {
  METRICS_KIND,
  z,
  type Observation,
  type RunContext,
  type System,
  type SystemDescriptor,
} from '@entroscope/core';
import { kernelsFor } from '@entroscope/kernels';
import { MeanField, criticalLine } from '@entroscope/mean-field';
import { minibatches } from '@entroscope/nn';
import { CascadeNetwork } from './cascade-network';
import { cascadeWidths } from './cascade-widths';
import { cascadeDataSchema, openImageSource, poolImageSource, type ImageSource } from './image-source';

export const cascadeParamsSchema = z
  .object({
    sigmaW2: z
      .number()
      .positive()
      .max(100)
      .default(1.76)
      .describe('Weight variance σ_w² of the forward network: W_ij ~ N(0, σ_w²/N_{ℓ−1})'),
    sigmaB2: z.number().min(0).max(100).default(0.05).describe("Bias variance σ_b² (the paper's MLP runs: 0.05)"),
    depth: z
      .number()
      .int()
      .min(3)
      .max(1000)
      .default(20)
      .describe(
        "The code's depth argument: 'wide' has depth tanh blocks (N_in × (depth−1), 400, 10), 'shrinking' depth − 1",
      ),
    widths: z
      .enum(['wide', 'shrinking'])
      .default('wide')
      .describe("'wide': [N_in]×(depth−1), 400, 10; 'shrinking': ⌈linspace(N_in, 10, depth)⌉"),
    data: cascadeDataSchema
      .default({ source: 'mnist', pixelScale: 'byte/255', colour: 'pil-luma' })
      .describe(
        "Images: a data set (mnist, fashion-mnist, cifar10 from a directory, pixels byte/255 as torchvision's ToTensor) or white noise",
      ),
    pool: z
      .number()
      .int()
      .min(1)
      .max(8)
      .default(1)
      .describe(
        'k×k average pooling of the (square) images before the network: 1 = none (the paper); 2 turns MNIST into 14×14 for fast grids',
      ),
    training: z
      .object({
        images: z
          .union([z.number().int().min(1), z.literal('all')])
          .default('all')
          .describe("Training images: the first N of the training split, or 'all' (MNIST: 60 000)"),
        epochs: z
          .number()
          .int()
          .min(0)
          .max(100)
          .default(1)
          .describe('Epochs of cascade training (the paper: 1; 0 leaves the maps at their initialisation)'),
        batchSize: z
          .number()
          .int()
          .min(1)
          .max(65_536)
          .default(64)
          .describe('Minibatch size (the code: 64, shuffled, last batch kept)'),
      })
      .strict()
      .default({ images: 'all', epochs: 1, batchSize: 64 })
      .describe('Layer-local training of the auxiliary maps'),
    evaluation: z
      .object({
        images: z
          .number()
          .int()
          .min(2)
          .max(100_000)
          .default(100)
          .describe('Images reconstructed (the code: the first shuffled test batch of 100)'),
        split: z
          .enum(['test', 'train'])
          .default('test')
          .describe('Split they are drawn from (uniformly without replacement)'),
      })
      .strict()
      .default({ images: 100, split: 'test' })
      .describe('Images whose reconstructions are emitted'),
  })
  .strict();
export type CascadeParams = z.infer<typeof cascadeParamsSchema>;

const criticalCache = new Map<number, number>();
function criticalSigmaW2(sigmaB2: number): number {
  let v = criticalCache.get(sigmaB2);
  if (v === undefined) criticalCache.set(sigmaB2, (v = criticalLine('tanh', sigmaB2).sigmaW2));
  return v;
}

/** Mean-field facts of the forward network (Poole et al. 2016; Schoenholz et al. 2017), as probes read them. */
function meanFieldMeta(sigmaW2: number, sigmaB2: number): Record<string, unknown> {
  const s = new MeanField('tanh', sigmaW2, sigmaB2).summary();
  const finite = (v: number) => (Number.isFinite(v) ? v : null);
  return {
    sigmaW2,
    sigmaB2,
    qStar: finite(s.qStar),
    chi1: s.chi1,
    cStar: s.cStar,
    xiQ: finite(s.xiQ),
    xiC: s.xiCDivergent ? null : finite(s.xiC),
    sixXiC: s.xiCDivergent ? null : finite(s.sixXiC),
    xiCDivergent: s.xiCDivergent,
    phase: s.phase,
    criticalSigmaW2: criticalSigmaW2(sigmaB2),
  };
}

/**
 * The cascade of Thurn, Jefferson & Erdmenger (arXiv:2406.12916; docs/cascade.md): an untrained tanh network
 * whose every block gets a one-layer auxiliary inverse, trained layer-locally (CascadeNetwork). Emits, on the
 * `layer` axis, site 0 = the evaluation images x and site ℓ = their reconstructions x̂^(ℓ) = g_1∘…∘g_ℓ(a^ℓ),
 * kind `images`, shape [images, pixels]; each site's meta carries its width, the mean map loss of g_ℓ over the
 * last epoch and the mean-field facts of (σ_w², σ_b²) (ξ_c, 6ξ_c, σ_w²_c). Then one `metrics` observation
 * (axis `cost`) with the exact cost of the prediction in multiply–accumulates.
 * Memory: the network state (stateBytes, ≈ 16 bytes per forward weight: W, V, Adam m and v) plus one minibatch
 * of activations; images are read from the data set per minibatch, so it does not grow with the training set.
 */
export class CascadeSystem implements System {
  constructor(
    private readonly params: CascadeParams,
    private readonly context: RunContext,
  ) {}

  observe(): Observable<Observation> {
    return new Observable<Observation>((subscriber) => {
      let train: ImageSource | undefined;
      let test: ImageSource | undefined;
      const run = async () => {
        const p = this.params;
        const { signal } = this.context;
        signal.throwIfAborted();
        const kernels = kernelsFor(this.context.backend);
        const random = this.context.random;
        train = poolImageSource(openImageSource(p.data, 'train', random.split('data')), p.pool);
        test =
          p.evaluation.split === 'train'
            ? train
            : poolImageSource(openImageSource(p.data, 'test', random.split('data')), p.pool);
        const widths = cascadeWidths(p.widths, p.depth, train.pixels);
        const net = new CascadeNetwork(widths, p.sigmaW2, p.sigmaB2, random.split('network'));
        const trainImages = p.training.images === 'all' ? train.count : p.training.images;
        if (trainImages > train.count)
          throw new RangeError(
            `training.images: ${trainImages} requested, the training split of ${train.description} has ${train.count}`,
          );
        if (p.evaluation.images > test.count)
          throw new RangeError(
            `evaluation.images: ${p.evaluation.images} requested, ${test.description} has ${test.count}`,
          );
        const L = net.blocks;
        const epochLoss = new Float64Array(L);
        let steps = 0;
        const batch = new Float32Array(p.training.batchSize * train.pixels);
        for (let e = 0; e < p.training.epochs; e++) {
          const batches = minibatches(trainImages, p.training.batchSize, {
            shuffle: true,
            random: random.split('minibatches').split(`epoch:${e}`),
          });
          epochLoss.fill(0);
          for (let s = 0; s < batches.length; s++) {
            signal.throwIfAborted();
            const indices = batches[s]!;
            const x = batch.subarray(0, indices.length * train.pixels);
            train.gather(indices, x);
            const losses = await net.trainBatch(x, indices.length, kernels);
            for (let l = 0; l < L; l++) epochLoss[l]! += losses[l]!;
            steps++;
            if (s % 16 === 15 || s === batches.length - 1)
              this.context.progress?.(
                (e + (s + 1) / batches.length) / (p.training.epochs + 0.2),
                `cascade epoch ${e + 1}/${p.training.epochs}: batch ${s + 1}/${batches.length}`,
              );
          }
          for (let l = 0; l < L; l++) epochLoss[l]! /= batches.length;
        }
        // Evaluation images: a uniform sample without replacement (the code's first shuffled test batch).
        const order = Array.from({ length: test.count }, (_, i) => i);
        random.split('evaluation').shuffle(order);
        const chosen = order.slice(0, p.evaluation.images);
        const E = chosen.length;
        const images = new Float32Array(E * test.pixels);
        test.gather(chosen, images);
        const meanField = meanFieldMeta(p.sigmaW2, p.sigmaB2);
        // The realized network's own criticality: its Lyapunov exponent along the evaluation images' trajectories,
        // over the leading blocks that keep the width (after a transient of up to 10 blocks). Mean field's σ_w²_c
        // is where ½ ln χ₁ crosses 0 as N → ∞; a finite-width network's exponent crosses 0 elsewhere.
        let square = 0;
        while (square < L && widths[square] === widths[square + 1]) square++;
        let network: {
          lyapunovExponent: number;
          lyapunovStandardError: number;
          lyapunovBlocks: [number, number];
          lyapunovImages: number;
        } | null = null;
        if (square >= 2) {
          const from = Math.min(10, Math.floor(square / 2));
          const { exponent, perRow } = await net.lyapunovExponent(
            images,
            E,
            kernels,
            random.split('lyapunov'),
            from,
            square,
          );
          let ss = 0;
          for (const r of perRow) ss += (r - exponent) ** 2;
          network = {
            lyapunovExponent: exponent,
            lyapunovStandardError: Math.sqrt(ss / (E - 1) / E),
            lyapunovBlocks: [from + 1, square],
            lyapunovImages: E,
          };
        }
        const common = { sigmaW2: p.sigmaW2, sigmaB2: p.sigmaB2, blocks: L, images: E, meanField, network };
        subscriber.next({
          system: this.context.name,
          site: { axis: 'layer', index: 0, label: 'input' },
          kind: 'images',
          data: images,
          shape: [E, test.pixels],
          meta: {
            ...common,
            role: 'original',
            width: widths[0],
            widths,
            data: test.description,
            trainImages,
            epochs: p.training.epochs,
            batchSize: p.training.batchSize,
            evaluationImages: chosen.slice(0, 16),
          },
        });
        let evaluationMacs = 0;
        await net.reconstruct(
          images,
          E,
          kernels,
          (layer, reconstruction) => {
            for (let k = 0; k < layer; k++) evaluationMacs += E * widths[k]! * widths[k + 1]!;
            evaluationMacs += E * widths[layer - 1]! * widths[layer]!;
            subscriber.next({
              system: this.context.name,
              site: { axis: 'layer', index: layer, label: `x̂(${layer})` },
              kind: 'images',
              data: reconstruction,
              shape: [E, test!.pixels],
              meta: {
                ...common,
                role: 'reconstruction',
                width: widths[layer],
                mapLoss: p.training.epochs > 0 ? epochLoss[layer - 1] : null,
              },
            });
            this.context.progress?.(
              (p.training.epochs + (0.2 * layer) / L) / (p.training.epochs + 0.2),
              `reconstructions: layer ${layer}/${L}`,
            );
          },
          signal,
        );
        const trainingMacs = net.trainingMacsPerImage() * trainImages * p.training.epochs;
        subscriber.next({
          system: this.context.name,
          site: { axis: 'cost', index: 0, label: 'cascade prediction' },
          kind: METRICS_KIND,
          shape: [],
          metrics: [
            {
              name: 'cascade-training-macs',
              value: trainingMacs,
              unit: 'MAC',
              n: null,
              description:
                'multiply–accumulates of the cascade training: per image and block, the forward product, g_ℓ and ∂V_ℓ (3·N_{ℓ−1}N_ℓ), times images × epochs',
            },
            {
              name: 'cascade-evaluation-macs',
              value: evaluationMacs,
              unit: 'MAC',
              n: null,
              description: 'multiply–accumulates of the reconstructions x̂^(ℓ) of the evaluation images for every ℓ',
            },
            {
              name: 'cascade-total-macs',
              value: trainingMacs + evaluationMacs,
              unit: 'MAC',
              n: null,
              description: 'training plus evaluation multiply–accumulates: the cost of one cascade prediction',
            },
            {
              name: 'optimiser-steps',
              value: steps * L,
              unit: 'step',
              n: null,
              description: 'Adam steps over all auxiliary maps',
            },
            ...(network
              ? [
                  {
                    name: 'lyapunov-exponent',
                    value: network.lyapunovExponent,
                    unit: 'nat/layer',
                    n: E,
                    uncertainty: network.lyapunovStandardError,
                    description: `largest Lyapunov exponent of the realized forward network: mean ln ‖J_ℓ v‖ of a tangent vector along the evaluation images' trajectories over blocks ${network.lyapunovBlocks[0]}–${network.lyapunovBlocks[1]} (0 at the network's own critical point)`,
                  },
                ]
              : []),
            {
              name: 'state-bytes',
              value: net.stateBytes(),
              unit: 'byte',
              n: null,
              description: 'bytes of network state (forward W, b; inverse V, c; Adam moments; gradient scratch)',
            },
          ],
          meta: { ...common, trainImages, epochs: p.training.epochs },
        });
      };
      run().then(
        () => subscriber.complete(),
        (error) => subscriber.error(error),
      );
      return () => {
        train?.close();
        if (test !== train) test?.close();
      };
    });
  }
}

export const cascadeDescriptor: SystemDescriptor<CascadeParams> = {
  id: 'cascade',
  version: '1.0.0',
  summary:
    'Untrained tanh network with one layer-locally trained inverse map per block (one epoch, Adam, MSE to the previous layer); emits the images and their reconstructions from every depth',
  citation: 'Y. Thurn, R. Jefferson, J. Erdmenger, arXiv:2406.12916 (code: YanickT/Infoflow-paper src/network.py)',
  display: {
    name: 'Cascade reconstruction',
    parameters: {
      sigmaW2: { name: 'weight variance', symbol: 'σ_w²' },
      sigmaB2: { name: 'bias variance', symbol: 'σ_b²' },
      depth: { name: 'depth', symbol: 'L' },
      widths: { name: 'widths' },
      pool: { name: 'pooling' },
      'data.source': { name: 'data' },
      'training.images': { name: 'training images' },
      'training.epochs': { name: 'cascade epochs' },
      'training.batchSize': { name: 'batch size' },
      'evaluation.images': { name: 'evaluation images' },
    },
    axes: { layer: { name: 'layer', symbol: 'ℓ' }, cost: { name: 'cost' } },
    values: {
      wide: 'wide',
      shrinking: 'shrinking',
      mnist: 'MNIST',
      'fashion-mnist': 'Fashion-MNIST',
      cifar10: 'CIFAR-10 (grey)',
      'white-noise': 'white noise',
    },
  },
  paramsSchema: cascadeParamsSchema,
  provides: () => ({ axes: ['layer', 'cost'], kinds: ['images', METRICS_KIND], exact: [] }),
  create: (params, context) => new CascadeSystem(params, context),
};
