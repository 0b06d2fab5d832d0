# Generates the 40-digit Onsager references used by ising-2d-exact.spec.ts (mpmath). Run: python3 ising-2d-references.py
from mpmath import mp, mpf, quad, log, sqrt, sinh, cosh, tanh, coth, pi, ellipk, ellipe, diff, asinh
mp.dps = 40
Kc = log(1+sqrt(2))/2
def f(K):
    k = 2*sinh(2*K)/cosh(2*K)**2
    from mpmath import sin
    g = lambda t: log((1+sqrt(1-k**2*sin(t)**2))/2)
    return log(2*cosh(2*K)) + quad(g,[0,pi/2,pi])/(2*pi)
def u(K):
    k = 2*sinh(2*K)/cosh(2*K)**2
    return coth(2*K)/2*(1+2/pi*(2*tanh(2*K)**2-1)*ellipk(k**2))
def F(K): return 2*diff(u,K)
for K in [mpf('0.19'),mpf('0.21'),mpf('0.8'),mpf('0.82'),mpf('0.05'),mpf('0.1'),mpf('0.2'),mpf('0.3'),mpf('0.4'),mpf('0.43'),Kc-mpf('1e-6'),Kc+mpf('1e-6'),Kc+mpf('1e-3'),mpf('0.45'),mpf('0.5'),mpf('0.6'),mpf('1.0'),mpf('2.0')]:
    print(mp.nstr(K,20), mp.nstr(f(K),20), mp.nstr(u(K),20), mp.nstr(F(K),20))
print('fKc', mp.nstr(f(Kc),20), mp.nstr(log(2)/2+2*mp.catalan/pi,20))
