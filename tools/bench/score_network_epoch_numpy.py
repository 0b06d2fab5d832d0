#!/usr/bin/env python3
"""NumPy twin of tools/bench/score-network-epoch.js: the same arithmetic (float32) for one training epoch of the
Neural Entropy authors' score network on a D = 6 mixture: frozen random Fourier features (256 per branch), time
embedding shared by the hidden layers [512, 256], LayerNorm (eps 1e-6), sigmoid, linear output; denoising score
matching with batch 32 x 10 throws; hand-written backward; Adam (PyTorch/optax rule). Run it as the bench does,
with `env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE` and one BLAS thread.
Usage: score_network_epoch_numpy.py [N=8192] [reps=1]; prints {"ms": median ms per epoch, "samples": N}."""
import json, sys, time
import numpy as np

N = int(sys.argv[1]) if len(sys.argv) > 1 else 8192
REPS = int(sys.argv[2]) if len(sys.argv) > 2 else 1
D, M, H1, H2, B, NS, LR = 6, 256, 512, 256, 32, 10, 1e-4
E = 2 * M
rng = np.random.default_rng(0)
f32 = np.float32

def dense(i, o):
    return [(rng.standard_normal((o, i)) / np.sqrt(i)).astype(f32), np.zeros(o, f32)]

Bs = (0.1 * rng.standard_normal((M, 1))).astype(f32)
Bx = (0.1 * rng.standard_normal((M, D))).astype(f32)
P = {}
P['We'], P['be'] = dense(E, E)
P['Wp'], P['bp'] = dense(E, E)
P['W1'], P['b1'] = dense(E, H1)
P['T1'], P['c1'] = dense(E, H1)
P['g1'], P['h1'] = np.ones(H1, f32), np.zeros(H1, f32)
P['W2'], P['b2'] = dense(H1, H2)
P['T2'], P['c2'] = dense(E, H2)
P['g2'], P['h2'] = np.ones(H2, f32), np.zeros(H2, f32)
P['Wo'], P['bo'] = dense(H2, D)
state = {k: [0, np.zeros_like(v), np.zeros_like(v)] for k, v in P.items()}

means = rng.uniform(-2, 2, (5, D)).astype(f32)
stds = rng.uniform(0.5, 1, 5).astype(f32)
comp = rng.integers(0, 5, N)
data = (means[comp] + stds[comp, None] * rng.standard_normal((N, D))).astype(f32)

def sigmoid(a):
    return (1 / (1 + np.exp(-a))).astype(f32)

def fourier(x, Bm):
    p = (2 * np.pi * (x @ Bm.T)).astype(f32)
    return np.concatenate([np.sin(p), np.cos(p)], axis=1), p

def layernorm(z, g, h):
    mu = z.mean(axis=1, keepdims=True)
    var = ((z - mu) ** 2).mean(axis=1, keepdims=True)
    r = (1 / np.sqrt(var + 1e-6)).astype(f32)
    xh = (z - mu) * r
    return xh * g + h, xh, r

def layernorm_back(gy, xh, r, g):
    gg = (gy * xh).sum(axis=0)
    gb = gy.sum(axis=0)
    ghat = gy * g
    gx = r * (ghat - ghat.mean(axis=1, keepdims=True) - xh * (ghat * xh).mean(axis=1, keepdims=True))
    return gx, gg, gb

def mu_std(s):
    logmu = -0.5 * 0.1 * s - 0.25 * (16 - 0.1) * s * s
    mu = np.exp(logmu)
    return mu.astype(f32), np.sqrt(-np.expm1(2 * logmu)).astype(f32)

def step(x):
    rows = x.shape[0] * NS
    xr = np.repeat(x, NS, axis=0)
    s = (1e-5 + (1 - 1e-5) * rng.random(rows)).astype(f32)
    z = rng.standard_normal((rows, D)).astype(f32)
    mu, sd = mu_std(s)
    y = mu[:, None] * xr + sd[:, None] * z
    # forward
    Fs, ps = fourier(s[:, None], Bs)
    emb = sigmoid(Fs @ P['We'].T + P['be'])
    Fx, px = fourier(y, Bx)
    h0 = sigmoid(Fx @ P['Wp'].T + P['bp'])
    z1 = h0 @ P['W1'].T + P['b1'] + emb @ P['T1'].T + P['c1']
    n1, xh1, r1 = layernorm(z1, P['g1'], P['h1'])
    a1 = sigmoid(n1)
    z2 = a1 @ P['W2'].T + P['b2'] + emb @ P['T2'].T + P['c2']
    n2, xh2, r2 = layernorm(z2, P['g2'], P['h2'])
    a2 = sigmoid(n2)
    e = a2 @ P['Wo'].T + P['bo']
    res = (-y + e) * sd[:, None] + z
    loss = float((res * res).sum(axis=1).mean())
    ge = (2 * sd[:, None] * res / rows).astype(f32)
    G = {}
    G['Wo'] = ge.T @ a2; G['bo'] = ge.sum(axis=0)
    ga2 = ge @ P['Wo']
    gn2 = ga2 * a2 * (1 - a2)
    gz2, G['g2'], G['h2'] = layernorm_back(gn2, xh2, r2, P['g2'])
    G['W2'] = gz2.T @ a1; G['b2'] = gz2.sum(axis=0)
    G['T2'] = gz2.T @ emb; G['c2'] = gz2.sum(axis=0)
    gemb = gz2 @ P['T2']
    ga1 = gz2 @ P['W2']
    gn1 = ga1 * a1 * (1 - a1)
    gz1, G['g1'], G['h1'] = layernorm_back(gn1, xh1, r1, P['g1'])
    G['W1'] = gz1.T @ h0; G['b1'] = gz1.sum(axis=0)
    G['T1'] = gz1.T @ emb; G['c1'] = gz1.sum(axis=0)
    gemb = gemb + gz1 @ P['T1']
    gh0 = gz1 @ P['W1']
    gp = gh0 * h0 * (1 - h0)
    G['Wp'] = gp.T @ Fx; G['bp'] = gp.sum(axis=0)
    gFx = gp @ P['Wp']
    _ = 2 * np.pi * (gFx[:, :M] * np.cos(px) - gFx[:, M:] * np.sin(px)) @ Bx
    ga = gemb * emb * (1 - emb)
    G['We'] = ga.T @ Fs; G['be'] = ga.sum(axis=0)
    # Adam
    for k, v in P.items():
        st = state[k]
        st[0] += 1
        g = G[k].astype(f32)
        st[1] = 0.9 * st[1] + 0.1 * g
        st[2] = 0.999 * st[2] + 0.001 * g * g
        v -= (LR / (1 - 0.9 ** st[0])) * st[1] / (np.sqrt(st[2]) / np.sqrt(1 - 0.999 ** st[0]) + 1e-8)
    return loss

def epoch():
    order = rng.permutation(N)
    for start in range(0, N, B):
        step(data[order[start:start + B]])

step(data[:B])
times = []
for _ in range(REPS):
    t0 = time.perf_counter()
    epoch()
    times.append((time.perf_counter() - t0) * 1e3)
times.sort()
print(json.dumps({"ms": times[len(times) // 2], "samples": N}))
