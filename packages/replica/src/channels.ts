import { gaussHermite, gaussLegendre } from './quadrature';
import { LOG_2PI_E, logAddExp, logGaussian, logNormalCdf, logNormalPdf, normalCdf } from './normal';
import { normalPrior, quenchedProbitPrior, type ScalarPrior } from './priors';

/**
 * The scalar problems a componentwise noisy channel h ~ P(h | z) contributes to the replica potential.
 *
 * Write the pre-activation as z = ω + √Ṽ·u with ω ~ N(0, ρ̃ − Ṽ) known and u ~ N(0, 1) unknown (ρ̃ = E z²).
 * - As the network's output (h observed): `output(Ṽ, ρ̃)` gives the potential E ln p(h | ω) (= −H(h | ω)) and
 *   A = E[(∂_ω ln p(h | ω))²].
 * - As an inner layer, h is itself observed through y = √Ã·h + ξ: `inner(Ã, Ṽ, ρ̃)` gives the potential
 *   E ln Z = ½Ã·ρ_h + ½ln(2πe) − H(y | ω), A = E[(∂_ω ln p(y | ω))²] and V = E Var(h | y, ω)
 *   = ρ_h − E[(y + ∂_y ln p(y | ω))²]/Ã (Tweedie's formula).
 * These are the derivatives −2∂/∂Ṽ and ρ_h − 2∂/∂Ã of the potential, the fixed-point maps of the formula.
 */
export interface ScalarChannel {
  readonly id: string;
  readonly noiseVariance: number;
  /** ρ_h = E h² when z ~ N(0, ρ̃). */
  secondMoment(zVariance: number): number;
  output(vTilde: number, zVariance: number): { potential: number; a: number };
  inner(aTilde: number, vTilde: number, zVariance: number): { potential: number; a: number; v: number };
  /** H(h | z) per unit, z ~ N(0, ρ̃), in nats (a differential entropy for continuous h). */
  conditionalEntropy(zVariance: number): number;
  /** The law of h given its (known) pre-activation, z ~ N(0, ρ̃) quenched, as a prior for the layers above. */
  conditionalPrior(zVariance: number): ScalarPrior;
  /** Whether h takes discrete values (then inner layers need noise for the formula to apply). */
  readonly discrete: boolean;
}

const OMEGA_NODES = 48;
const NOISE_NODES = 16;
const PANEL_NODES = 12;
const OMEGA_PANEL_NODES = 10;

/**
 * Nodes and weights for E f(ω), ω ~ N(0, σ²), when f has a transition of width `width` at ω = 0 (the ReLU's kink,
 * blurred by the pre-activation's own variance Ṽ): Gauss–Hermite when the transition is broad; otherwise
 * Gauss–Legendre panels on a mesh graded geometrically (×3) from ±width at 0 out to ±10σ, so the transition is
 * resolved however small Ṽ is compared with ρ̃.
 */
function omegaRule(sigma: number, width: number): { nodes: number[]; weights: number[] } {
  if (!(sigma > 0)) return { nodes: [0], weights: [1] };
  if (width >= 0.5 * sigma) {
    const gh = gaussHermite(OMEGA_NODES);
    return { nodes: Array.from(gh.nodes, (x) => sigma * x), weights: Array.from(gh.weights) };
  }
  const gl = gaussLegendre(OMEGA_PANEL_NODES);
  const cuts = [0];
  for (let b = Math.max(width, 1e-6 * sigma); b < 6 * sigma; b *= 3) cuts.push(b);
  cuts.push(10 * sigma);
  const nodes: number[] = [];
  const weights: number[] = [];
  for (let p = 0; p + 1 < cuts.length; p++) {
    const half = 0.5 * (cuts[p + 1]! - cuts[p]!);
    const mid = 0.5 * (cuts[p + 1]! + cuts[p]!);
    for (let k = 0; k < gl.nodes.length; k++) {
      const x = mid + half * gl.nodes[k]!;
      const w = (half * gl.weights[k]! * Math.exp(-0.5 * (x / sigma) ** 2)) / (sigma * Math.sqrt(2 * Math.PI));
      nodes.push(x, -x);
      weights.push(w, w);
    }
  }
  return { nodes, weights };
}

export function linearChannel(noiseVariance: number): ScalarChannel {
  const d = noiseVariance;
  return {
    id: 'linear',
    noiseVariance,
    discrete: false,
    secondMoment: (rho) => rho + d,
    output: (vt) => ({ potential: -0.5 * (LOG_2PI_E + Math.log(d + vt)), a: 1 / (d + vt) }),
    inner(at, vt, rho) {
      if (at === 0) return { potential: 0, a: 0, v: d + vt };
      return {
        potential: 0.5 * at * (rho + d) - 0.5 * Math.log1p(at * (d + vt)),
        a: 1 / (d + vt + 1 / at),
        v: 1 / (at + 1 / (d + vt)),
      };
    },
    conditionalEntropy: () => 0.5 * (LOG_2PI_E + Math.log(d)),
    conditionalPrior: (rho) => normalPrior(0, d, rho + d),
  };
}

/**
 * E over (ω, o) of ln p(o | ω), (∂_ω ln p)² and (o + ∂_o ln p)², for o = c·max(0, z) + s·η, z ~ N(ω, v),
 * ω ~ N(0, omegaVariance). p(o | ω) = Φ(−ω/√v)·N(o; 0, s²) + N(o; cω, s² + c²v)·Φ(q(o)) in closed form; the outer
 * integral is Gauss–Hermite in ω, and in o Gauss–Hermite for the first (Gaussian) part and Gauss–Legendre panels
 * around the step of Φ(q) for the second (which is sharp when s ≪ c√v, i.e. small noise).
 */
function reluExpectations(c: number, s2: number, v: number, omegaVariance: number) {
  const eta = gaussHermite(NOISE_NODES);
  const gl = gaussLegendre(PANEL_NODES);
  const s = Math.sqrt(s2);
  const S = s2 + c * c * v;
  const tau = (v * s2) / S;
  const sqrtTau = Math.sqrt(tau);
  const sqrtV = Math.sqrt(v);
  const sqrtS = Math.sqrt(S);
  const so = Math.sqrt(Math.max(omegaVariance, 0));
  const om = omegaRule(so, v > 0 ? sqrtV : so);
  let eLog = 0;
  let eOmega = 0;
  let eTweedie = 0;
  const logS2 = Math.log(s2);
  const logBigS = Math.log(S);
  const LN_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);
  for (let i = 0; i < om.nodes.length; i++) {
    const omega = om.nodes[i]!;
    const wo = om.weights[i]!;
    if (v === 0) {
      // z = ω exactly: o ~ N(c·max(0, ω), s²).
      const r = Math.max(0, omega);
      for (let k = 0; k < eta.nodes.length; k++) {
        const o = c * r + s * eta.nodes[k]!;
        const lp = logGaussian(o, c * r, s2);
        const dOmega = omega > 0 ? (c * (o - c * r)) / s2 : 0;
        const t = o - (o - c * r) / s2;
        const w = wo * eta.weights[k]!;
        eLog += w * lp;
        eOmega += w * dOmega * dOmega;
        eTweedie += w * t * t;
      }
      continue;
    }
    // ∫ p(o | ω) F(o) do by Gauss–Legendre panels, with breakpoints where p changes scale: around o = 0 (the
    // point-mass part, width s), around the step of Φ(q) (width S√τ/(cv)) and across the Gaussian bulk at cω.
    const width = (S * sqrtTau) / (c * v);
    const step = (-omega * s2) / (c * v);
    const lo = Math.min(-10 * s, c * omega - 10 * sqrtS);
    const hi = Math.max(10 * s, c * omega + 10 * sqrtS);
    const cuts = [
      lo,
      hi,
      -5 * s,
      -2 * s,
      0,
      2 * s,
      5 * s,
      step - 10 * width,
      step - 3 * width,
      step,
      step + 3 * width,
      step + 10 * width,
    ];
    for (const k of [-6, -3, -1, 1, 3, 6]) cuts.push(c * omega + k * sqrtS);
    const points = cuts.filter((x) => x >= lo && x <= hi).sort((x, y) => x - y);
    // Per-ω constants: ln Φ(−ω/√v) and ln φ(ω/√v)/√v of the point-mass part.
    const lMass = logNormalCdf(-omega / sqrtV);
    const lMassPdf = logNormalPdf(omega / sqrtV) - Math.log(sqrtV);
    for (let p = 0; p + 1 < points.length; p++) {
      const a = points[p]!;
      const b = points[p + 1]!;
      if (!(b - a > 1e-12 * (hi - lo))) continue;
      const half = 0.5 * (b - a);
      const mid = 0.5 * (a + b);
      for (let k = 0; k < gl.nodes.length; k++) {
        const o = mid + half * gl.nodes[k]!;
        const l0 = -LN_SQRT_2PI - 0.5 * logS2 - (0.5 * o * o) / s2;
        const d2 = o - c * omega;
        const lN2 = -LN_SQRT_2PI - 0.5 * logBigS - (0.5 * d2 * d2) / S;
        const q = (omega * s2 + c * o * v) / S / sqrtTau;
        const l1 = lMass + l0;
        const l2 = lN2 + logNormalCdf(q);
        const lp = logAddExp(l1, l2);
        if (lp === -Infinity) continue;
        const r1 = Math.exp(l1 - lp);
        const r2 = Math.exp(l2 - lp);
        const rPhi = Math.exp(lN2 + logNormalPdf(q) - lp);
        const rPdf1 = Math.exp(l0 + lMassPdf - lp);
        const dOmega = -rPdf1 + (r2 * c * d2) / S + (rPhi * s2) / S / sqrtTau;
        const t = o - (r1 * o) / s2 - (r2 * d2) / S + (rPhi * c * v) / S / sqrtTau;
        const w = wo * half * gl.weights[k]! * Math.exp(lp);
        eLog += w * lp;
        eOmega += w * dOmega * dOmega;
        eTweedie += w * t * t;
      }
    }
  }
  return { eLog, eOmega, eTweedie };
}

export function reluChannel(noiseVariance: number): ScalarChannel {
  const d = noiseVariance;
  return {
    id: 'relu',
    noiseVariance,
    discrete: false,
    secondMoment: (rho) => 0.5 * rho + d,
    output(vt, rho) {
      const e = reluExpectations(1, d, vt, rho - vt);
      return { potential: e.eLog, a: e.eOmega };
    },
    inner(at, vt, rho) {
      const rhoH = 0.5 * rho + d;
      if (at === 0) {
        // V = E Var(h | ω): E[max(0, z) | ω] = ω Φ(ω/√Ṽ) + √Ṽ φ(ω/√Ṽ).
        const so = Math.sqrt(Math.max(rho - vt, 0));
        const om = omegaRule(so, vt > 0 ? Math.sqrt(vt) : so);
        let m2 = 0;
        for (let i = 0; i < om.nodes.length; i++) {
          const w = om.nodes[i]!;
          const m =
            vt === 0
              ? Math.max(0, w)
              : w * normalCdf(w / Math.sqrt(vt)) + Math.sqrt(vt) * Math.exp(logNormalPdf(w / Math.sqrt(vt)));
          m2 += om.weights[i]! * m * m;
        }
        return { potential: 0, a: 0, v: rhoH - m2 };
      }
      const e = reluExpectations(Math.sqrt(at), 1 + at * d, vt, rho - vt);
      return {
        potential: 0.5 * at * rhoH + 0.5 * LOG_2PI_E + e.eLog,
        a: e.eOmega,
        v: rhoH - e.eTweedie / at,
      };
    },
    conditionalEntropy: () => 0.5 * (LOG_2PI_E + Math.log(d)),
    conditionalPrior: (rho) => normalPrior(0, d, 0.5 * rho + d),
  };
}

export function probitChannel(noiseVariance: number): ScalarChannel {
  const d = noiseVariance;
  const om = () => gaussHermite(OMEGA_NODES);
  return {
    id: 'probit',
    noiseVariance,
    discrete: true,
    secondMoment: () => 1,
    output(vt, rho) {
      const { nodes, weights } = om();
      const so = Math.sqrt(Math.max(rho - vt, 0));
      const sd = Math.sqrt(vt + d);
      let potential = 0;
      let a = 0;
      for (let i = 0; i < nodes.length; i++) {
        const q = (so * nodes[i]!) / sd;
        const lp = logNormalCdf(q);
        const lm = logNormalCdf(-q);
        potential += weights[i]! * (Math.exp(lp) * lp + Math.exp(lm) * lm);
        // Σ_h φ(q)²/((Ṽ+Δ) Φ(hq)) = φ(q)²/((Ṽ+Δ) Φ(q) Φ(−q)).
        a += (weights[i]! * Math.exp(2 * logNormalPdf(q) - lp - lm)) / (vt + d);
      }
      return { potential, a };
    },
    inner(at, vt, rho) {
      const { nodes, weights } = om();
      const eta = gaussHermite(NOISE_NODES * 2);
      const so = Math.sqrt(Math.max(rho - vt, 0));
      const sd = Math.sqrt(vt + d);
      const sa = Math.sqrt(at);
      let eLog = 0;
      let eOmega = 0;
      let eMean = 0;
      for (let i = 0; i < nodes.length; i++) {
        const q = (so * nodes[i]!) / sd;
        const lp = logNormalCdf(q);
        const lm = logNormalCdf(-q);
        const pdfRatio = Math.exp(logNormalPdf(q)) / sd;
        for (const [h, lh] of [
          [1, lp],
          [-1, lm],
        ] as const) {
          const ph = Math.exp(lh);
          if (ph === 0) continue;
          for (let k = 0; k < eta.nodes.length; k++) {
            const y = sa * h + eta.nodes[k]!;
            const b = sa * y;
            const up = lp + b;
            const down = lm - b;
            const lz = logAddExp(up, down);
            const w = weights[i]! * ph * eta.weights[k]!;
            // ln p(y | ω) = ln N(y; 0, 1) − Ã/2 + ln(P₊e^{b} + P₋e^{−b}).
            eLog += w * (logNormalPdf(y) - 0.5 * at + lz);
            const g = pdfRatio * (Math.exp(b - lz) - Math.exp(-b - lz));
            eOmega += w * g * g;
            const mean = Math.tanh(0.5 * (up - down));
            eMean += w * mean * mean;
          }
        }
      }
      return { potential: 0.5 * at + 0.5 * LOG_2PI_E + eLog, a: eOmega, v: 1 - eMean };
    },
    conditionalEntropy(rho) {
      if (d === 0) return 0;
      const { nodes, weights } = om();
      const scale = Math.sqrt(rho / d);
      let h = 0;
      for (let i = 0; i < nodes.length; i++) {
        const lp = logNormalCdf(scale * nodes[i]!);
        const lm = logNormalCdf(-scale * nodes[i]!);
        h -= weights[i]! * (Math.exp(lp) * lp + Math.exp(lm) * lm);
      }
      return h;
    },
    conditionalPrior: (rho) => quenchedProbitPrior(d, rho),
  };
}

/** Channel ids the formula knows. */
export const REPLICA_CHANNELS = ['linear', 'relu', 'probit'] as const;

export function scalarChannel(id: string, noiseVariance: number): ScalarChannel | undefined {
  switch (id) {
    case 'linear':
      return linearChannel(noiseVariance);
    case 'relu':
      return reluChannel(noiseVariance);
    case 'probit':
      return probitChannel(noiseVariance);
    default:
      return undefined;
  }
}
