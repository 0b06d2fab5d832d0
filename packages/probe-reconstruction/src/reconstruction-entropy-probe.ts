import { from, map, mergeMap, toArray, type Observable } from 'rxjs';
import {
  ProbeDataError,
  z,
  type Measurement,
  type Observation,
  type Probe,
  type ProbeDescriptor,
  type RunContext,
  type Site,
} from '@entroscope/core';
import { saturationCutoff, type CutoffResult } from './cutoff';
import {
  batchDifferentialEntropy,
  discreteRelativeEntropy,
  median,
  minShiftDistribution,
  RECONSTRUCTION_EPSILON,
} from './relative-entropy';

export const reconstructionEntropyParamsSchema = z
  .object({
    output: z
      .enum(['relative-entropy', 'normalised-curve', 'differential-entropy', 'cutoff'])
      .default('relative-entropy')
      .describe(
        "'relative-entropy': mean over images of D_ℓ per site; 'normalised-curve': r_ℓ = median over images of D_ℓ/D_last; 'differential-entropy': H_ℓ of the batch per site; 'cutoff': the saturation cutoff of a curve (one measurement, at the last site)",
      ),
    direction: z
      .enum(['original-to-reconstruction', 'reconstruction-to-original'])
      .default('original-to-reconstruction')
      .describe("D(P_x ‖ P_x̂) (the authors' direction) or D(P_x̂ ‖ P_x)"),
    excludeLast: z
      .number()
      .int()
      .min(0)
      .default(2)
      .describe(
        'Sites at the end left out of the curve, its normalisation and the cutoff (the authors drop the 400- and 10-wide read-out layers: 2)',
      ),
    epsilon: z
      .number()
      .positive()
      .default(RECONSTRUCTION_EPSILON)
      .describe('Offset ε added after the min shift (authors: 1e-12)'),
    cutoff: z
      .object({
        curve: z
          .enum(['median-normalised', 'per-image', 'differential'])
          .default('median-normalised')
          .describe(
            "'median-normalised': the rule on r_ℓ (the paper's curve); 'per-image': on each image's D_ℓ against its own last value, mean ± sd over images; 'differential': on H_ℓ",
          ),
        atol: z
          .number()
          .min(0)
          .default(1e-8)
          .describe('Absolute tolerance of |v − v_last| ≤ atol + rtol·|v_last| (authors: 1e-8)'),
        rtol: z
          .number()
          .min(0)
          .default(0.005)
          .describe('Relative tolerance (authors: 0.005 for MLPs, 0.01 for CNNs/ResNets)'),
        allSaturated: z
          .enum(['authors', 'corrected'])
          .default('authors')
          .describe(
            "A curve within tolerance everywhere: 'authors' returns the curve length (the code's quirk; flagged in meta.allSaturated), 'corrected' returns −1",
          ),
        report: z
          .enum(['index', 'saturation-depth'])
          .default('index')
          .describe(
            "'index': the code's 0-based index (last unsaturated layer − 1); 'saturation-depth': the first layer of the saturated tail (index + 2; 1 when all saturated)",
          ),
      })
      .strict()
      .default({ curve: 'median-normalised', atol: 1e-8, rtol: 0.005, allSaturated: 'authors', report: 'index' })
      .describe("Cutoff rule (output 'cutoff')"),
  })
  .strict();
export type ReconstructionEntropyParams = z.infer<typeof reconstructionEntropyParamsSchema>;

/** What one site contributes, without its images. */
interface SiteSummary {
  readonly site: Site;
  /** D_ℓ(x) per image. */
  readonly divergences: Float64Array;
  readonly differential: { value: number | null; omittedPixels: number } | null;
  readonly meta: Readonly<Record<string, unknown>>;
}

function mean(values: ArrayLike<number>): { mean: number; sd: number } {
  let m = 0;
  for (let i = 0; i < values.length; i++) m += values[i]!;
  m /= values.length;
  let s = 0;
  for (let i = 0; i < values.length; i++) s += (values[i]! - m) ** 2;
  return { mean: m, sd: values.length > 1 ? Math.sqrt(s / (values.length - 1)) : NaN };
}

/** ξ_c and 6ξ_c from meta.meanField (as the cascade and random-MLP systems attach it); omitted where divergent. */
function meanFieldOverlays(meta: Readonly<Record<string, unknown>>): Record<string, number> {
  const mf = meta['meanField'] as { xiC?: unknown; sixXiC?: unknown; xiCDivergent?: unknown } | undefined;
  const out: Record<string, number> = {};
  if (!mf || typeof mf !== 'object' || mf.xiCDivergent === true) return out;
  if (typeof mf.xiC === 'number' && Number.isFinite(mf.xiC)) out['xi_c'] = mf.xiC;
  if (typeof mf.sixXiC === 'number' && Number.isFinite(mf.sixXiC)) out['six_xi_c'] = mf.sixXiC;
  return out;
}

/**
 * Reconstruction entropy of the cascade paper (Y. Thurn, R. Jefferson, J. Erdmenger, "Opening the Black Box:
 * predicting the trainability of deep neural networks with reconstruction entropy", arXiv:2406.12916;
 * docs/cascade.md). Site 0 holds the original images x (rows), site ℓ ≥ 1 their reconstructions x̂^(ℓ) from
 * layer ℓ, same rows in the same order. Each row becomes the min-shift distribution
 * P_v(i) = (v_i − min v + ε)/Σ(v_k − min v + ε) and D_ℓ(x) = Σ_i P_x(i) ln(P_x(i)/P_x̂(i)) per image (nats).
 * The curve r_ℓ = median_x D_ℓ(x)/D_L(x), L the last site kept (the last `excludeLast` sites are dropped), rises
 * and saturates; the saturation cutoff is where it stops changing (cutoff.ts). Inputs are never modified.
 * Values are exact functions of the reconstructions (n = number of images); the relative entropy carries
 * the standard error over images.
 */
export class ReconstructionEntropyProbe implements Probe {
  readonly id = 'reconstruction-entropy';
  readonly estimator: string;

  constructor(private readonly params: ReconstructionEntropyParams) {
    this.estimator = params.output === 'cutoff' ? `cutoff-${params.cutoff.curve}` : params.output;
  }

  apply(observations: Observable<Observation>): Observable<Measurement> {
    const p = this.params;
    let reference: { rows: number; columns: number; distributions: Float64Array[] } | undefined;
    const needsDifferential =
      p.output === 'differential-entropy' || (p.output === 'cutoff' && p.cutoff.curve === 'differential');
    return observations.pipe(
      map((o): SiteSummary => {
        const where = `site ${o.site.axis}=${o.site.index}`;
        if (!o.data || o.shape.length !== 2)
          throw new ProbeDataError(
            this.id,
            `${where}: needs image rows (data with shape [images, pixels]), got shape [${o.shape.join(', ')}]${o.data ? '' : ' without data'}`,
          );
        const [rows, columns] = o.shape as [number, number];
        if (o.data.length !== rows * columns)
          throw new ProbeDataError(
            this.id,
            `${where}: data length ${o.data.length} does not match shape [${rows}, ${columns}]`,
          );
        const distributions: Float64Array[] = [];
        for (let r = 0; r < rows; r++) {
          try {
            distributions.push(minShiftDistribution(o.data, r * columns, columns, p.epsilon));
          } catch (e) {
            throw new ProbeDataError(this.id, `${where}, image ${r}: ${(e as Error).message}`);
          }
        }
        if (!reference) {
          if (rows < 1) throw new ProbeDataError(this.id, `${where}: no images`);
          reference = { rows, columns, distributions };
        } else if (rows !== reference.rows || columns !== reference.columns) {
          throw new ProbeDataError(
            this.id,
            `${where}: reconstructions have shape [${rows}, ${columns}], the originals (first site) [${reference.rows}, ${reference.columns}]`,
          );
        }
        const divergences = new Float64Array(rows);
        for (let r = 0; r < rows; r++) {
          const x = reference.distributions[r]!;
          const y = distributions[r]!;
          divergences[r] =
            p.direction === 'original-to-reconstruction'
              ? discreteRelativeEntropy(x, y)
              : discreteRelativeEntropy(y, x);
        }
        let differential: SiteSummary['differential'] = null;
        if (needsDifferential) {
          if (rows < 2)
            throw new ProbeDataError(
              this.id,
              `${where}: the differential entropy needs at least 2 images, got ${rows}`,
            );
          differential = batchDifferentialEntropy(o.data, rows, columns, p.epsilon);
          if (differential.value === null)
            throw new ProbeDataError(
              this.id,
              `${where}: every pixel has zero spread over the batch (differential entropy −∞)`,
            );
        }
        return { site: o.site, divergences, differential, meta: o.meta };
      }),
      toArray(),
      mergeMap((sites) => from(this.measure(sites))),
    );
  }

  private measure(sites: readonly SiteSummary[]): Measurement[] {
    const p = this.params;
    if (sites.length === 0) return [];
    const layers = sites.slice(1);
    const kept = layers.slice(0, Math.max(0, layers.length - p.excludeLast));
    const n = sites[0]!.divergences.length;
    const base = { probe: this.id, estimator: this.estimator } as const;
    const common = {
      direction: p.direction,
      epsilon: p.epsilon,
      excludeLast: p.excludeLast,
      images: n,
      overlays: meanFieldOverlays(sites[0]!.meta),
    };
    if (p.output === 'relative-entropy') {
      return sites.map((s) => {
        const { mean: m, sd } = mean(s.divergences);
        return {
          ...base,
          site: s.site,
          value: m,
          unit: 'nat',
          ...(n > 1 && { uncertainty: sd / Math.sqrt(n) }),
          n,
          meta: { ...common, median: median(s.divergences), sd: n > 1 ? sd : null },
        };
      });
    }
    if (p.output === 'differential-entropy') {
      return sites.map((s) => ({
        ...base,
        site: s.site,
        value: s.differential!.value!,
        unit: 'nat',
        n,
        meta: { ...common, omittedPixels: s.differential!.omittedPixels },
      }));
    }
    if (kept.length === 0) {
      throw new ProbeDataError(
        this.id,
        `needs at least one reconstruction site after dropping the last ${p.excludeLast}, got ${layers.length} reconstruction site(s)`,
      );
    }
    const last = kept[kept.length - 1]!;
    const normalised = (s: SiteSummary): number => {
      const ratios = new Float64Array(n);
      for (let r = 0; r < n; r++) {
        const d = last.divergences[r]!;
        if (!(d > 0))
          throw new ProbeDataError(
            this.id,
            `image ${r}: D = ${d} at the normalising site ${last.site.axis}=${last.site.index} (the reconstruction equals the original), r_ℓ undefined`,
          );
        ratios[r] = s.divergences[r]! / d;
      }
      return median(ratios);
    };
    if (p.output === 'normalised-curve') {
      return sites.map((s) => ({
        ...base,
        site: s.site,
        value: normalised(s),
        unit: 'dimensionless',
        n,
        meta: { ...common, normalisedBy: last.site.index, inCurve: kept.includes(s) },
      }));
    }
    // Cutoff: one measurement for the whole curve, at the last observed site.
    const tolerance = { atol: p.cutoff.atol, rtol: p.cutoff.rtol };
    const pick = (c: CutoffResult) => (p.cutoff.report === 'index' ? c.index : c.saturationDepth);
    const site = sites[sites.length - 1]!.site;
    const meta = {
      ...common,
      curve: p.cutoff.curve,
      tolerance,
      allSaturatedRule: p.cutoff.allSaturated,
      report: p.cutoff.report,
      curveLength: kept.length,
      firstLayer: kept[0]!.site.index,
    };
    if (p.cutoff.curve === 'per-image') {
      const results: CutoffResult[] = [];
      for (let r = 0; r < n; r++)
        results.push(
          saturationCutoff(
            kept.map((s) => s.divergences[r]!),
            tolerance,
            p.cutoff.allSaturated,
          ),
        );
      const values = results.map(pick);
      const { mean: m, sd } = mean(values);
      const saturated = results.filter((c) => c.allSaturated).length;
      return [
        {
          ...base,
          site,
          value: m,
          unit: 'layer',
          ...(n > 1 && { uncertainty: sd / Math.sqrt(n) }),
          n,
          meta: { ...meta, sd: n > 1 ? sd : null, allSaturatedImages: saturated, allSaturated: saturated === n },
        },
      ];
    }
    const curve =
      p.cutoff.curve === 'median-normalised' ? kept.map(normalised) : kept.map((s) => s.differential!.value!);
    const c = saturationCutoff(curve, tolerance, p.cutoff.allSaturated);
    return [
      {
        ...base,
        site,
        value: pick(c),
        unit: 'layer',
        n,
        meta: {
          ...meta,
          index: c.index,
          saturationDepth: c.saturationDepth,
          allSaturated: c.allSaturated,
          curveValues: curve,
        },
      },
    ];
  }
}

export const reconstructionEntropyDescriptor: ProbeDescriptor<ReconstructionEntropyParams> = {
  id: 'reconstruction-entropy',
  version: '1.0.0',
  summary:
    'Relative entropy between images and their cascade reconstructions per layer (min-shift distributions), its median normalised curve, the batch differential entropy and the saturation cutoff that predicts trainable depth',
  citation: 'Y. Thurn, R. Jefferson, J. Erdmenger, arXiv:2406.12916 (code: YanickT/Infoflow-paper src/entropies.py)',
  display: {
    name: 'Reconstruction entropy',
    symbol: (p) => {
      const d = p.direction === 'original-to-reconstruction' ? 'D(x‖x̂⁽ℓ⁾)' : 'D(x̂⁽ℓ⁾‖x)';
      if (p.output === 'relative-entropy') return d;
      if (p.output === 'normalised-curve') return 'r_ℓ = median D_ℓ/D_L';
      if (p.output === 'differential-entropy') return 'H(x̂⁽ℓ⁾)';
      const curve = p.cutoff.curve === 'differential' ? 'H' : p.cutoff.curve === 'per-image' ? 'D per image' : 'r_ℓ';
      return p.cutoff.report === 'saturation-depth' ? `saturation depth of ${curve}` : `cutoff of ${curve}`;
    },
    units: { nat: 'nats', dimensionless: 'ratio to the last layer', layer: 'layers' },
    parameters: {
      output: { name: 'output' },
      direction: { name: 'direction' },
      excludeLast: { name: 'read-out layers left out' },
      epsilon: { symbol: 'ε' },
      'cutoff.curve': { name: 'cutoff curve' },
      'cutoff.atol': { name: 'absolute tolerance' },
      'cutoff.rtol': { name: 'relative tolerance' },
      'cutoff.allSaturated': { name: 'all-saturated curves' },
      'cutoff.report': { name: 'cutoff reported as' },
    },
    values: {
      'relative-entropy': 'relative entropy',
      'normalised-curve': 'median normalised curve',
      'differential-entropy': 'differential entropy',
      cutoff: 'saturation cutoff',
      'original-to-reconstruction': 'original ‖ reconstruction',
      'reconstruction-to-original': 'reconstruction ‖ original',
      'median-normalised': 'median normalised curve',
      'per-image': 'per image',
      differential: 'differential entropy',
      authors: "authors' rule",
      corrected: 'corrected',
      index: "index (authors')",
      'saturation-depth': 'saturation depth',
    },
  },
  paramsSchema: reconstructionEntropyParamsSchema,
  requires: () => ({ kinds: ['images'], axes: ['layer'] }),
  create: (params, _context: RunContext) => new ReconstructionEntropyProbe(params),
};
