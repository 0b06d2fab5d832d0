import { Observable } from 'rxjs';
import {
  z,
  type GaussianExact,
  type Observation,
  type RunContext,
  type System,
  type SystemDescriptor,
} from '@entroscope/core';
import { activationDerivativeScalar, activationScalar, fillNormalFast, kernelsFor } from '@entroscope/kernels';
import { MeanField, criticalLine, type MeanFieldSummary } from './mean-field';
import { mlpActivations, type MlpActivation } from './mean-field';
import { buildInputs, mlpInputsSchema } from './mlp-inputs';
import { layerWidths, type WidthSchedule } from './width-schedule';

const width = z.number().int().min(1).max(100_000);

export const randomMlpParamsSchema = z
  .object({
    sigmaW2: z.number().positive().max(100).describe('Weight variance σ_w²: W_ij ~ N(0, σ_w²/n_in)'),
    sigmaB2: z.number().min(0).max(100).default(0.05).describe('Bias variance σ_b²: b_i ~ N(0, σ_b²)'),
    activation: z
      .enum(mlpActivations as [MlpActivation, ...MlpActivation[]])
      .default('tanh')
      .describe('Activation φ after every linear layer (the output layer included, as in the authors’ code)'),
    depth: z
      .number()
      .int()
      .min(1)
      .max(2000)
      .describe('Number of linear layers L: sites layer = 0…L−1 (z^0 = W_0 x + b_0)'),
    widths: z
      .discriminatedUnion('schedule', [
        z
          .object({
            schedule: z.literal('constant'),
            width: width.optional().describe('Width of every layer (default: the input dimension)'),
          })
          .strict(),
        z
          .object({
            schedule: z.literal('wide'),
            hidden: width.optional().describe('Hidden width (default: the input dimension, 784 for MNIST)'),
            penultimate: width.default(400).describe('Width of layer L−2'),
            output: width.default(10).describe('Width of the output layer L−1'),
          })
          .strict(),
        z.object({ schedule: z.literal('shrinking'), output: width.default(10).describe('Output width') }).strict(),
        z
          .object({ schedule: z.literal('custom'), widths: z.array(width).min(1).describe('One width per layer') })
          .strict(),
      ])
      .default({ schedule: 'constant' })
      .describe("Width schedule: 'constant', 'wide' (…, 784, 400, 10), 'shrinking', or 'custom'"),
    inputs: mlpInputsSchema,
    record: z
      .enum(['pre-activations', 'activations'])
      .default('pre-activations')
      .describe('What each layer site carries: z^ℓ (the authors’ hooks) or φ(z^ℓ)'),
    pushforward: z
      .object({
        samples: z.number().int().min(2).max(100_000).default(1000).describe('Monte Carlo samples nMC'),
        image: z
          .number()
          .int()
          .default(-1)
          .describe(
            'Row of the batch whose layer-0 Gaussian fit is propagated (negative counts from the end; −1 = last, as the authors)',
          ),
      })
      .strict()
      .optional()
      .describe(
        'Propagate nMC samples of the layer-0 Gaussian fit N(μ_0, σ_0²) of one image through layers 1…L−1 (the authors’ relative entropy, docs/science/random-mlp-mean-field.md §2); per-sample sums go to meta.pushforward',
      ),
    jacobian: z
      .object({
        directions: z
          .number()
          .int()
          .min(1)
          .max(4096)
          .default(8)
          .describe('Random input directions u ~ N(0, I) per input row'),
        inputs: z
          .number()
          .int()
          .min(1)
          .max(4096)
          .default(1)
          .describe('Input rows (the first ones of the batch) at which J is taken'),
      })
      .strict()
      .optional()
      .describe(
        'Forward-mode Jacobian-vector products J_ℓ u (exact, float32): ln‖J_ℓ u‖² per row and direction go to meta.jacobian',
      ),
    meanFieldPairs: z
      .number()
      .int()
      .min(0)
      .max(1024)
      .default(8)
      .describe(
        'Adjacent input pairs (rows 2k, 2k+1) whose averaged second moments start the mean-field correlation trajectory',
      ),
    exact: z
      .enum(['none', 'mean-field-gaussian'])
      .default('none')
      .describe(
        "'mean-field-gaussian': attach N(0, q^ℓ I_N) (the infinite-width law of one input's pre-activations) as the exact description",
      ),
  })
  .strict()
  .superRefine((p, ctx) => {
    if (p.widths.schedule === 'wide' && p.depth < 3)
      ctx.addIssue({
        code: 'custom',
        message: 'expected depth ≥ 3 with the wide schedule (hidden layers, then penultimate, then output)',
        path: ['depth'],
      });
    if (p.widths.schedule === 'custom' && p.widths.widths.length !== p.depth)
      ctx.addIssue({
        code: 'custom',
        message: `expected ${p.depth} widths (one per layer), got ${p.widths.widths.length}`,
        path: ['widths', 'widths'],
      });
  });
export type RandomMlpParams = z.infer<typeof randomMlpParamsSchema>;

/** Per-layer mean-field facts in Observation.meta.meanField (Infinity written as null). */
export interface LayerMeanField extends Omit<MeanFieldSummary, 'xiC' | 'sixXiC' | 'qStar' | 'xiQ'> {
  readonly qStar: number | null;
  readonly xiQ: number | null;
  readonly xiC: number | null;
  readonly sixXiC: number | null;
  /** σ_w²_c at this σ_b² (the order-to-chaos line). */
  readonly criticalSigmaW2: number;
  /** q^ℓ from the batch-mean input second moment. */
  readonly q: number;
  /** Adjacent-pair correlation c^ℓ from the pair-averaged layer-0 second moments (null with fewer than 2 rows). */
  readonly pairCorrelation: number | null;
  /** Mean-field ln(E‖J_ℓ‖_F²/N_ℓ) = ln σ_w² + Σ_{k<ℓ} ln χ(q^k), averaged over the Jacobian rows (null without `jacobian`). */
  readonly jacobianLogSquaredNormPerNeuron: number | null;
}

const finiteOrNull = (v: number) => (Number.isFinite(v) ? v : null);
const criticalCache = new Map<string, number>();

/**
 * A random deep feed-forward network at initialisation: z^0 = W_0 x + b_0, z^ℓ = W_ℓ φ(z^{ℓ−1}) + b_ℓ with
 * W_ij ~ N(0, σ_w²/N_{ℓ−1}) and b_i ~ N(0, σ_b²), drawn layer by layer from the run's random stream (split per
 * layer, so a layer's weights do not depend on other parameters). Emits one `layer` site per linear layer with
 * the batch's pre-activations (or activations) [B, N_ℓ], float32, computed with the run's dense kernel
 * (`kernelsFor(backend).matmul`); only the current layer is held in memory. Each site's meta carries the
 * mean-field description (q^ℓ, c^ℓ, q*, χ₁, c*, ξ_q, ξ_c, 6ξ_c, σ_w²_c), and optionally the authors' Monte
 * Carlo push-forward sums and forward-mode Jacobian norms. References: docs/science/random-mlp-mean-field.md §1–§4;
 * Poole et al. 2016; Schoenholz et al. 2017; Erdmenger, Grosvenor, Jefferson 2022.
 */
export class RandomMlpSystem implements System {
  constructor(
    private readonly params: RandomMlpParams,
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
        const kernels = kernelsFor(this.context.backend);
        const mf = new MeanField(p.activation, p.sigmaW2, p.sigmaB2);
        const summary = mf.summary();
        const criticalKey = `${p.activation}:${p.sigmaB2}`;
        let criticalSigmaW2 = criticalCache.get(criticalKey);
        if (criticalSigmaW2 === undefined)
          criticalCache.set(criticalKey, (criticalSigmaW2 = criticalLine(p.activation, p.sigmaB2).sigmaW2));

        const inputs = buildInputs(p.inputs, random.split('inputs'), () => {
          const q = mf.qStar();
          if (!(q > p.sigmaB2) || !Number.isFinite(q))
            throw new Error(
              `inputs.meanSquare 'fixed-point': q* = ${q} leaves no positive ⟨x²⟩ at σ_w² = ${p.sigmaW2}, σ_b² = ${p.sigmaB2}`,
            );
          return (q - p.sigmaB2) / p.sigmaW2;
        });
        const B = inputs.count;
        const nIn = inputs.dimension;
        // The input (and, for labelled data, the label) beside every layer, same rows: I(X;T) and I(T;Y).
        const variables = {
          input: { data: inputs.data, shape: [B, nIn], description: `network input x (${inputs.description})` },
          ...(inputs.labels && {
            label: { data: inputs.labels, shape: [B], description: 'class label y' },
          }),
        };
        const widths = layerWidths(p.widths as WidthSchedule, p.depth, nIn);
        const phi = activationScalar(p.activation);
        const dphi = activationDerivativeScalar(p.activation);

        // Mean field from the actual inputs (randomness is over weights only).
        const rowMeanSquare = (r: number) => {
          let s = 0;
          for (let j = 0; j < nIn; j++) s += inputs.data[r * nIn + j]! ** 2;
          return s / nIn;
        };
        let meanSquare = 0;
        for (let r = 0; r < B; r++) meanSquare += rowMeanSquare(r) / B;
        const qTrajectory = mf.lengthTrajectory(mf.firstLayerVariance(meanSquare), p.depth);
        let pairC: Float64Array | undefined;
        const pairCount = Math.min(p.meanFieldPairs, Math.floor(B / 2));
        if (pairCount > 0) {
          let qa = 0;
          let qb = 0;
          let qab = 0;
          for (let k = 0; k < pairCount; k++) {
            let dot = 0;
            for (let j = 0; j < nIn; j++) dot += inputs.data[2 * k * nIn + j]! * inputs.data[(2 * k + 1) * nIn + j]!;
            qa += mf.firstLayerVariance(rowMeanSquare(2 * k)) / pairCount;
            qb += mf.firstLayerVariance(rowMeanSquare(2 * k + 1)) / pairCount;
            qab += mf.firstLayerVariance(dot / nIn) / pairCount;
          }
          pairC = mf.pairTrajectory(qa, qb, qab, p.depth).c;
        }

        // Jacobian set-up: T = R·K tangent rows, u ~ N(0, I_{n_in}).
        const R = p.jacobian ? Math.min(p.jacobian.inputs, B) : 0;
        const K = p.jacobian?.directions ?? 0;
        const T = R * K;
        let jacobianMeanField: Float64Array | undefined;
        if (p.jacobian) {
          jacobianMeanField = new Float64Array(p.depth);
          const trajectories = Array.from({ length: R }, (_, r) =>
            mf.lengthTrajectory(mf.firstLayerVariance(rowMeanSquare(r)), p.depth),
          );
          for (let l = 0; l < p.depth; l++) {
            let mean = 0;
            for (const q of trajectories) {
              let log = Math.log(p.sigmaW2);
              for (let k = 0; k < l; k++) log += Math.log(mf.chi(q[k]!));
              mean += Math.exp(log) / R;
            }
            jacobianMeanField[l] = Math.log(mean);
          }
        }
        let tangents: Float32Array | undefined =
          T > 0 ? fillNormalFast(random.split('jacobian-directions'), new Float32Array(T * nIn)) : undefined;
        const logNorms = new Float64Array(T);

        const pfImage = p.pushforward ? ((p.pushforward.image % B) + B) % B : -1;
        const pfTrajectory = p.pushforward
          ? mf.lengthTrajectory(mf.firstLayerVariance(rowMeanSquare(pfImage)), p.depth)
          : undefined;
        const nMC = p.pushforward?.samples ?? 0;
        let pushforward: Float32Array | undefined;
        let pfReference: { mean: number; variance: number } | undefined;

        let input = inputs.data;
        let fanIn = nIn;
        let previousZ: Float32Array | undefined;
        for (let l = 0; l < p.depth; l++) {
          if (cancelled) return;
          check();
          const N = widths[l]!;
          // Wᵀ stored fan-in × N (so the product needs no transpose); entries N(0, σ_w²/fan-in).
          const weights = fillNormalFast(
            random.split(`weights:${l}`),
            new Float32Array(fanIn * N),
            0,
            Math.sqrt(p.sigmaW2 / fanIn),
          );
          const bias = fillNormalFast(random.split(`biases:${l}`), new Float32Array(N), 0, Math.sqrt(p.sigmaB2));
          const z = await kernels.matmul(input, weights, B, fanIn, N, { bias });
          const a = new Float32Array(z.length);
          for (let i = 0; i < z.length; i++) a[i] = phi(z[i]!);

          // The authors' Monte Carlo push-forward of the layer-0 fit.
          let pfMeta: Record<string, unknown> | undefined;
          if (p.pushforward) {
            if (l === 0) {
              const row = z.subarray(pfImage * N, (pfImage + 1) * N);
              let mean = 0;
              for (let i = 0; i < N; i++) mean += row[i]! / N;
              let variance = 0;
              for (let i = 0; i < N; i++) variance += (row[i]! - mean) ** 2 / N;
              pfReference = { mean, variance };
              pushforward = fillNormalFast(
                random.split('pushforward'),
                new Float32Array(nMC * N),
                mean,
                Math.sqrt(variance),
              );
            } else {
              const activated = new Float32Array(pushforward!.length);
              for (let i = 0; i < activated.length; i++) activated[i] = phi(pushforward![i]!);
              pushforward = await kernels.matmul(activated, weights, nMC, fanIn, N, { bias });
            }
            const rowSums: number[] = new Array(nMC);
            const rowSquareSums: number[] = new Array(nMC);
            for (let s = 0; s < nMC; s++) {
              let s1 = 0;
              let s2 = 0;
              for (let i = s * N; i < (s + 1) * N; i++) {
                const v = pushforward![i]!;
                s1 += v;
                s2 += v * v;
              }
              rowSums[s] = s1;
              rowSquareSums[s] = s2;
            }
            pfMeta = {
              image: pfImage,
              samples: nMC,
              referenceLayer: 0,
              referenceMean: pfReference!.mean,
              referenceVariance: pfReference!.variance,
              rowSums,
              rowSquareSums,
              meanFieldQ: pfTrajectory![l]!,
              meanFieldQ0: pfTrajectory![0]!,
            };
          }

          // Forward-mode Jacobian-vector products, renormalised every layer (ln-norms accumulate in float64).
          let jacobianMeta: Record<string, unknown> | undefined;
          if (tangents) {
            let source = tangents;
            if (l > 0) {
              source = new Float32Array(T * fanIn);
              for (let t = 0; t < T; t++) {
                const r = Math.floor(t / K);
                for (let j = 0; j < fanIn; j++)
                  source[t * fanIn + j] = dphi(previousZ![r * fanIn + j]!) * tangents[t * fanIn + j]!;
              }
            }
            const next = await kernels.matmul(source, weights, T, fanIn, N);
            for (let t = 0; t < T; t++) {
              let s = 0;
              for (let i = t * N; i < (t + 1) * N; i++) s += next[i]! * next[i]!;
              logNorms[t] += Math.log(s);
              const scale = s > 0 ? 1 / Math.sqrt(s) : 0;
              for (let i = t * N; i < (t + 1) * N; i++) next[i] = next[i]! * scale;
            }
            tangents = next;
            jacobianMeta = { inputs: R, directions: K, inputDimension: nIn, logSquaredNorms: Array.from(logNorms) };
          }
          if (T > 0) previousZ = z.slice(0, R * N);

          const meanField: LayerMeanField = {
            ...summary,
            qStar: finiteOrNull(summary.qStar),
            xiC: finiteOrNull(summary.xiC),
            sixXiC: finiteOrNull(summary.sixXiC),
            xiQ: finiteOrNull(summary.xiQ),
            criticalSigmaW2: criticalSigmaW2!,
            q: qTrajectory[l]!,
            pairCorrelation: pairC ? pairC[l]! : null,
            jacobianLogSquaredNormPerNeuron: jacobianMeanField ? jacobianMeanField[l]! : null,
          };
          let exact: GaussianExact | undefined;
          if (p.exact === 'mean-field-gaussian') {
            const covariance = new Float64Array(N * N);
            for (let i = 0; i < N; i++) covariance[i * N + i] = qTrajectory[l]!;
            exact = { type: 'gaussian', mean: new Float64Array(N), covariance, dimension: N };
          }
          const data = p.record === 'activations' ? a : z;
          subscriber.next({
            system: this.context.name,
            site: { axis: 'layer', index: l, label: `layer ${l} (N=${N})` },
            kind: p.record,
            data,
            shape: [B, N],
            variables,
            ...(exact && { exact }),
            meta: {
              width: N,
              fanIn,
              depth: p.depth,
              sigmaW2: p.sigmaW2,
              sigmaB2: p.sigmaB2,
              activation: p.activation,
              inputs: inputs.description,
              meanField,
              ...(pfMeta && { pushforward: pfMeta }),
              ...(jacobianMeta && { jacobian: jacobianMeta }),
            },
          });
          this.context.progress?.((l + 1) / p.depth, `layer ${l}`);
          input = a;
          fanIn = N;
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

export const randomMlpDescriptor: SystemDescriptor<RandomMlpParams> = {
  id: 'random-mlp',
  version: '1.0.0',
  summary:
    'Random deep MLP at initialisation (σ_w², σ_b², tanh/ReLU/erf, width schedules, MNIST or synthetic inputs): per-layer pre-activations with mean-field theory in meta',
  display: {
    name: 'Random MLP',
    parameters: {
      sigmaW2: { name: 'weight variance', symbol: 'σ_w²' },
      sigmaB2: { name: 'bias variance', symbol: 'σ_b²' },
      activation: { name: 'activation' },
      depth: { name: 'depth', symbol: 'L' },
      'widths.width': { name: 'width', symbol: 'N' },
      'widths.schedule': { name: 'widths' },
    },
    axes: { layer: { name: 'layer', symbol: 'ℓ' } },
  },
  citation:
    'Poole et al. arXiv:1606.05340; Schoenholz et al. arXiv:1611.01232; Erdmenger, Grosvenor, Jefferson arXiv:2107.06898; docs/science/random-mlp-mean-field.md',
  paramsSchema: randomMlpParamsSchema as unknown as z.ZodType<RandomMlpParams>,
  provides: (params) => ({
    axes: ['layer'],
    kinds: [params.record],
    exact: params.exact === 'mean-field-gaussian' ? ['gaussian'] : [],
  }),
  create: (params, context) => new RandomMlpSystem(params, context),
};
