/**
 * Reads the mean-field facts a system attached to an observation (`meta.meanField`, as the random-MLP system
 * writes them) and turns the depth scales into report overlays: `xi_c` and `six_xi_c` (ξ_c and the trainable
 * depth 6ξ_c of Schoenholz et al. 2017), omitted where ξ_c is divergent. Probes copy them into
 * Measurement.meta.overlays so the report can draw them over a σ_w² × layer heat map.
 */
export interface ObservedMeanField {
  readonly q?: number;
  readonly qStar?: number | null;
  readonly chi1?: number;
  readonly cStar?: number;
  readonly xiC?: number | null;
  readonly sixXiC?: number | null;
  readonly pairCorrelation?: number | null;
  readonly jacobianLogSquaredNormPerNeuron?: number | null;
  readonly criticalSigmaW2?: number;
}

export function observedMeanField(meta: Readonly<Record<string, unknown>>): ObservedMeanField | undefined {
  const mf = meta['meanField'];
  return mf && typeof mf === 'object' ? (mf as ObservedMeanField) : undefined;
}

export function depthScaleOverlays(mf: ObservedMeanField | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  if (typeof mf?.xiC === 'number' && Number.isFinite(mf.xiC)) out['xi_c'] = mf.xiC;
  if (typeof mf?.sixXiC === 'number' && Number.isFinite(mf.sixXiC)) out['six_xi_c'] = mf.sixXiC;
  return out;
}
