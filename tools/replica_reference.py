#!/usr/bin/env python3
"""Second implementation of the replica formula (NumPy/SciPy), written independently of packages/replica.

Reads a JSON document {"network": <stochastic-network description>, "repeat": k} on stdin (spectra as lists) and
prints {"layers": [{"layer", "entropy", "conditionalEntropy", "mutualInformation"} per input unit, nats], "seconds"}.

Numerics deliberately differ from the TypeScript library: prior and probit integrals by Gauss-Hermite from NumPy,
the ReLU channel's integral over the observation by a dense trapezoid grid (not Gauss-Legendre panels), the
Marchenko-Pastur Stieltjes transform from its quadratic, and the fixed point of the stationarity conditions
(Gaussian weights) or the ML-VAMP state evolution (weights given by a spectrum).
"""
import json
import sys
import time

import numpy as np
from scipy.special import log_ndtr, ndtr

LOG2PIE = np.log(2 * np.pi * np.e)


def hermite(n):
    x, w = np.polynomial.hermite_e.hermegauss(n)
    return x, w / w.sum()


GX, GW = hermite(120)


def logsumexp2(a, b):
    m = np.maximum(a, b)
    m = np.where(np.isfinite(m), m, 0.0)
    return m + np.log(np.exp(a - m) + np.exp(b - m))


# ---- priors: (second moment, prior variance, terms(a) -> (E ln Z, mmse)) ---------------------------------------


def normal_prior(mean, var, rho=None):
    rho = mean * mean + var if rho is None else rho
    return rho, var, lambda a: (0.5 * a * rho - 0.5 * np.log1p(a * var), var / (1 + a * var))


def binary_terms(p, a):
    p = np.asarray(p, dtype=float)[..., None]
    if a == 0:
        m = 2 * p - 1
        return 0.0 * p[..., 0], (1 - m * m)[..., 0]
    s = np.sqrt(a)
    with np.errstate(divide="ignore"):
        lp, lm = np.log(p), np.log1p(-p)
    pot = 0.0
    m2 = 0.0
    for x, px in ((1.0, p), (-1.0, 1 - p)):
        y = s * x + GX
        up, down = lp + s * y, lm - s * y
        lz = logsumexp2(up, down) - 0.5 * a
        mean = np.tanh(0.5 * (up - down))
        pot = pot + px[..., 0] * np.nan_to_num((GW * np.where(px > 0, lz, 0)).sum(-1))
        m2 = m2 + px[..., 0] * (GW * mean * mean).sum(-1)
    return pot, 1 - m2


def prior_of(spec):
    kind = spec["kind"]
    if kind == "normal":
        return normal_prior(spec["mean"], spec["variance"])
    if kind == "bimodal":
        p = spec["pPlus"]
        return 1.0, 1 - (2 * p - 1) ** 2, lambda a: tuple(float(v) for v in binary_terms(p, a))
    if kind == "spike-and-slab":
        d, mu, var = spec["density"], spec["mean"], spec["variance"]
        rho = d * (mu * mu + var)

        def terms(a):
            if a == 0:
                return 0.0, rho - d * d * mu * mu
            s = np.sqrt(a)
            prec = 1 / var + a

            def comp(y):
                lin = mu / var + s * y
                lslab = np.log(d) - 0.5 * np.log1p(a * var) - 0.5 * mu * mu / var + 0.5 * lin * lin / prec
                lz = logsumexp2(np.full_like(y, np.log1p(-d)) if d < 1 else np.full_like(y, -np.inf), lslab)
                m = np.exp(lslab - lz) * lin / prec
                return lz, m * m

            l0, q0 = comp(GX)
            l1, q1 = comp(s * mu + np.sqrt(1 + a * var) * GX)
            pot = (GW * ((1 - d) * l0 + d * l1)).sum()
            return float(pot), float(rho - (GW * ((1 - d) * q0 + d * q1)).sum())

        return rho, rho - d * d * mu * mu, terms
    raise ValueError(kind)


# ---- channels -------------------------------------------------------------------------------------------------


class Linear:
    discrete = False

    def __init__(self, d):
        self.d = d

    def rho(self, r):
        return r + self.d

    def output(self, vt, r):
        return -0.5 * (LOG2PIE + np.log(self.d + vt)), 1 / (self.d + vt)

    def inner(self, at, vt, r):
        d = self.d
        if at == 0:
            return 0.0, 0.0, d + vt
        return 0.5 * at * (r + d) - 0.5 * np.log1p(at * (d + vt)), 1 / (d + vt + 1 / at), 1 / (at + 1 / (d + vt))

    def cond_entropy(self, r):
        return 0.5 * (LOG2PIE + np.log(self.d))

    def cond_prior(self, r):
        return normal_prior(0.0, self.d, r + self.d)


def omega_rule(sigma, width):
    """E over omega ~ N(0, sigma^2) of a function with a transition of width `width` at 0: Gauss-Legendre (16 nodes)
    on panels graded by factors of 2.5 from +-width out to +-11 sigma (Gauss-Hermite, 60 nodes, when it is broad)."""
    if sigma <= 0:
        return np.zeros(1), np.ones(1)
    if width >= 0.5 * sigma:
        x, w = hermite(60)
        return sigma * x, w
    cuts = [0.0]
    b = max(width, 1e-6 * sigma)
    while b < 5 * sigma:
        cuts.append(b)
        b *= 2.5
    cuts.append(11 * sigma)
    gx, gw = np.polynomial.legendre.leggauss(16)
    nodes, weights = [], []
    for a, b in zip(cuts[:-1], cuts[1:]):
        x = 0.5 * (a + b) + 0.5 * (b - a) * gx
        w = 0.5 * (b - a) * gw * np.exp(-0.5 * (x / sigma) ** 2) / (sigma * np.sqrt(2 * np.pi))
        nodes += [x, -x]
        weights += [w, w]
    return np.concatenate(nodes), np.concatenate(weights)


class Relu(Linear):
    def rho(self, r):
        return 0.5 * r + self.d

    def _expect(self, c, s2, v, wvar):
        # ω on Gauss-Hermite nodes; the observation o on a dense trapezoid grid with p(o|ω) in closed form.
        om, ow = omega_rule(np.sqrt(max(wvar, 0.0)), np.sqrt(v) if v > 0 else np.sqrt(max(wvar, 0.0)))
        S = s2 + c * c * v
        span = 12 * np.sqrt(S) + 12 * np.sqrt(s2)
        lo = min(-12 * np.sqrt(s2), c * om.min() - 12 * np.sqrt(S))
        hi = max(12 * np.sqrt(s2), c * om.max() + 12 * np.sqrt(S))
        h = min(np.sqrt(s2), np.sqrt(S)) / 40
        o = np.arange(lo, hi + h, h)[None, :]
        w = om[:, None]
        if v == 0:
            r = np.maximum(w, 0)
            lp = -0.5 * np.log(2 * np.pi * s2) - 0.5 * (o - c * r) ** 2 / s2
            dw = np.where(w > 0, c * (o - c * r) / s2, 0.0)
            do = -(o - c * r) / s2
        else:
            tau = v * s2 / S
            l0 = -0.5 * np.log(2 * np.pi * s2) - 0.5 * o * o / s2
            l1 = log_ndtr(-w / np.sqrt(v)) + l0
            ln2 = -0.5 * np.log(2 * np.pi * S) - 0.5 * (o - c * w) ** 2 / S
            q = (w * s2 + c * o * v) / S / np.sqrt(tau)
            l2 = ln2 + log_ndtr(q)
            lp = logsumexp2(l1, l2)
            r1, r2 = np.exp(l1 - lp), np.exp(l2 - lp)
            rphi = np.exp(ln2 - 0.5 * q * q - 0.5 * np.log(2 * np.pi) - lp)
            rpdf = np.exp(l0 - 0.5 * w * w / v - 0.5 * np.log(2 * np.pi) - lp) / np.sqrt(v)
            dw = -rpdf + r2 * c * (o - c * w) / S + rphi * s2 / S / np.sqrt(tau)
            do = -r1 * o / s2 - r2 * (o - c * w) / S + rphi * c * v / S / np.sqrt(tau)
        dens = np.exp(lp)
        wt = dens * h
        wt[:, 0] *= 0.5
        wt[:, -1] *= 0.5
        e = lambda f: float((ow[:, None] * wt * f).sum())
        return e(lp), e(dw * dw), e((o + do) ** 2)

    def output(self, vt, r):
        el, ew, _ = self._expect(1.0, self.d, vt, r - vt)
        return el, ew

    def inner(self, at, vt, r):
        rh = 0.5 * r + self.d
        if at == 0:
            w, ww = omega_rule(np.sqrt(max(r - vt, 0)), np.sqrt(vt) if vt > 0 else np.sqrt(max(r - vt, 0)))
            m = np.maximum(w, 0) if vt == 0 else w * ndtr(w / np.sqrt(vt)) + np.sqrt(vt) * np.exp(-0.5 * w * w / vt) / np.sqrt(2 * np.pi)
            return 0.0, 0.0, rh - float((ww * m * m).sum())
        el, ew, et = self._expect(np.sqrt(at), 1 + at * self.d, vt, r - vt)
        return 0.5 * at * rh + 0.5 * LOG2PIE + el, ew, rh - et / at

    def cond_prior(self, r):
        return normal_prior(0.0, self.d, 0.5 * r + self.d)


class Probit:
    discrete = True

    def __init__(self, d):
        self.d = d

    def rho(self, r):
        return 1.0

    def output(self, vt, r):
        q = np.sqrt(max(r - vt, 0)) * GX / np.sqrt(vt + self.d)
        lp, lm = log_ndtr(q), log_ndtr(-q)
        pot = (GW * (np.exp(lp) * lp + np.exp(lm) * lm)).sum()
        a = (GW * np.exp(-q * q - np.log(2 * np.pi) - lp - lm)).sum() / (vt + self.d)
        return float(pot), float(a)

    def inner(self, at, vt, r):
        q = (np.sqrt(max(r - vt, 0)) * GX / np.sqrt(vt + self.d))[:, None]
        lp, lm = log_ndtr(q), log_ndtr(-q)
        sa = np.sqrt(at)
        ratio = np.exp(-0.5 * q * q) / np.sqrt(2 * np.pi) / np.sqrt(vt + self.d)
        pot = a = m2 = 0.0
        for hsign, lh in ((1.0, lp), (-1.0, lm)):
            y = sa * hsign + GX[None, :]
            b = sa * y
            up, down = lp + b, lm - b
            lz = logsumexp2(up, down)
            wgt = GW[:, None] * np.exp(lh) * GW[None, :]
            pot += (wgt * (-0.5 * np.log(2 * np.pi) - 0.5 * y * y - 0.5 * at + lz)).sum()
            g = ratio * (np.exp(b - lz) - np.exp(-b - lz))
            a += (wgt * g * g).sum()
            m2 += (wgt * np.tanh(0.5 * (up - down)) ** 2).sum()
        return 0.5 * at + 0.5 * LOG2PIE + pot, a, 1 - m2

    def cond_entropy(self, r):
        q = np.sqrt(r / self.d) * GX
        lp, lm = log_ndtr(q), log_ndtr(-q)
        return float(-(GW * (np.exp(lp) * lp + np.exp(lm) * lm)).sum())

    def cond_prior(self, r):
        p = ndtr(np.sqrt(r / self.d) * GX)
        var = float((GW * 4 * p * (1 - p)).sum())

        def terms(a):
            pot, mmse = binary_terms(p, a)
            return float((GW * pot).sum()), float((GW * mmse).sum())

        return 1.0, var, terms


CHANNELS = {"linear": Linear, "relu": Relu, "probit": Probit}


# ---- ensembles ------------------------------------------------------------------------------------------------


class Ensemble:
    def __init__(self, layer):
        self.alpha = layer["outputs"] / layer["inputs"]
        e = layer["ensemble"]
        if e["kind"] == "gaussian-iid":
            self.spectral = False
            self.var = e["variance"]
            self.mean = self.var * self.alpha
        else:
            self.spectral = True
            self.lam = np.asarray(e["spectrum"], dtype=float)
            self.mean = float(self.lam.mean())

    def stieltjes(self, c):
        if self.spectral:
            return float(np.mean(1 / (self.lam + c)))
        scale = self.var * self.alpha
        x, y = c / scale, 1 / self.alpha
        # positive root of y x m^2 + (x + 1 - y) m - 1 = 0
        return float(np.roots([y * x, x + 1 - y, -1]).real.max()) / scale

    def f(self, gamma, theta):
        if not self.spectral:
            return self.alpha * self.var * gamma
        base = (1 - theta) * (1 - self.alpha * theta)
        lt = 0.0 if self.alpha == 1 else (self.alpha - 1) * np.log(1 - theta)
        return 2 * self.alpha * theta + lt + float(np.mean(np.log(gamma * self.lam + base)))


# ---- the formula ----------------------------------------------------------------------------------------------


def moments(prior, layers):
    rho, rt = [prior[0]], []
    for ens, ch in layers:
        rt.append(ens.mean * rho[-1] / ens.alpha)
        rho.append(ch.rho(rt[-1]))
    return rho, rt


def potential(prior, layers, ratios, fp):
    V, A, Vt, At, Th = fp
    rho, rt = moments(prior, layers)
    L = len(layers)
    at = [1.0] + ratios
    first = sum(0.5 * at[i] * (At[i] * (rho[i] - V[i]) - layers[i][0].alpha * A[i] * Vt[i] + layers[i][0].f(A[i] * V[i], Th[i])) for i in range(L))
    second = at[L] * layers[L - 1][1].output(Vt[L - 1], rt[L - 1])[0]
    second += sum(at[i] * layers[i - 1][1].inner(At[i], Vt[i - 1], rt[i - 1])[0] for i in range(1, L))
    second += prior[2](At[0])[0]
    return first - second


def fixed_point(prior, layers, v0, tol=1e-12, max_iter=3000):
    L = len(layers)
    rho, rt = moments(prior, layers)
    V = np.array(v0, float)
    A = 0.5 / V
    Vt, At, Th = np.zeros(L), np.zeros(L), np.zeros(L)
    for _ in range(max_iter):
        old = V.copy()
        for i in range(L - 1, -1, -1):
            ens, ch = layers[i]
            Th[i] = ens.var * A[i] * V[i]
            Vt[i] = Th[i] / A[i]
            A[i] = ch.output(Vt[i], rt[i])[1] if i == L - 1 else ch.inner(At[i + 1], Vt[i], rt[i])[1]
            Th[i] = ens.var * A[i] * V[i]
            At[i] = ens.alpha * Th[i] / V[i]
        for i in range(L - 1, -1, -1):
            V[i] = max(prior[2](At[0])[1] if i == 0 else layers[i - 1][1].inner(At[i], Vt[i - 1], rt[i - 1])[2], 0.0)
        res = np.abs(V - old).sum()
        if not np.isfinite(res):
            return None
        if res < tol:
            return V, A, Vt, At, Th
    return None


def vamp(prior, layers, v0, tol=1e-12, max_iter=3000):
    L = len(layers)
    rho, rt = moments(prior, layers)
    v1x = np.array(v0, float)
    a1x = 1 / v1x
    a2x, a2z, g = np.zeros(L), np.zeros(L), np.zeros(L)
    z1 = np.ones(L)
    for t in range(max_iter):
        old = v1x.copy()
        for i in range(L):
            ens = layers[i][0]
            v1x[i] = prior[2](a1x[0])[1] if i == 0 else layers[i - 1][1].inner(a1x[i], 1 / a2z[i - 1], rt[i - 1])[2]
            a2x[i] = 1 / v1x[i] - a1x[i]
            if not (a2x[i] > 0):
                return None
            v2x = z1[i] * ens.stieltjes(a2x[i] * z1[i])
            v1z = z1[i] * (1 - a2x[i] * v2x) / ens.alpha
            a2z[i] = 1 / v1z - 1 / z1[i]
            if not (a2z[i] > 0):
                return None
        for i in range(L - 1, -1, -1):
            ens, ch = layers[i]
            g[i] = ch.output(1 / a2z[i], rt[i])[1] if i == L - 1 else ch.inner(a1x[i + 1], 1 / a2z[i], rt[i])[1]
            z1[i] = 1 / g[i] - 1 / a2z[i]
            if not (z1[i] > 0):
                return None
            a1x[i] = 1 / (z1[i] * ens.stieltjes(a2x[i] * z1[i])) - a2x[i]
        res = np.abs(v1x - old).sum()
        if not np.isfinite(res):
            return None
        if t > 0 and res < tol:
            return v1x.copy(), g.copy(), 1 / a2z, a1x.copy(), 1 / (1 + a2z * z1)
    return None


def extremise(prior, layers, ratios):
    L = len(layers)
    rho, _ = moments(prior, layers)
    upper = [prior[1]] + rho[1:L]
    solve = vamp if any(e.spectral for e, _ in layers) else fixed_point
    best = None
    for m in range(1 << L):
        v0 = [max(upper[i], 1e-10) if (m >> i) & 1 else 1e-10 for i in range(L)]
        fp = solve(prior, layers, v0)
        if fp is None:
            continue
        phi = potential(prior, layers, ratios, fp)
        if np.isfinite(phi) and (best is None or phi < best):
            best = phi
    if best is None:
        raise RuntimeError("no initialisation converged")
    return best


def layer_values(net, depth):
    n0 = net["inputDimension"]
    specs = net["layers"][:depth]
    prior = prior_of(net["prior"])
    layers = [(Ensemble(l), CHANNELS[l["channel"]](l["noiseVariance"])) for l in specs]
    ratios = [l["outputs"] / n0 for l in specs]
    H = extremise(prior, layers, ratios)
    _, rt = moments(prior, layers)
    k = next((j for j in range(1, depth) if specs[j - 1]["noiseVariance"] > 0), 0)
    if k == 0:
        C = ratios[-1] * layers[-1][1].cond_entropy(rt[-1])
    else:
        nk = specs[k - 1]["outputs"]
        sub_prior = layers[k - 1][1].cond_prior(rt[k - 1])
        C = nk / n0 * extremise(sub_prior, layers[k:], [l["outputs"] / nk for l in specs[k:]])
    return {"layer": depth, "entropy": H, "conditionalEntropy": C, "mutualInformation": H - C}


def main():
    doc = json.load(sys.stdin)
    net = doc["network"]
    depths = doc.get("depths") or [d for d in range(1, len(net["layers"]) + 1) if net["layers"][d - 1]["noiseVariance"] > 0]
    repeat = int(doc.get("repeat", 1))
    start = time.perf_counter()
    for _ in range(repeat):
        out = [layer_values(net, d) for d in depths]
    seconds = (time.perf_counter() - start) / repeat
    json.dump({"layers": out, "seconds": seconds}, sys.stdout)


if __name__ == "__main__":
    main()
