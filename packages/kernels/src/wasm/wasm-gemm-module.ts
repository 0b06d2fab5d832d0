import { assembleModule, op, valueType } from './wasm-assembler';

/** Rows of a packed A panel and columns of a packed B panel (the register tile of the micro-kernel). */
export const MR_DEFAULT = 4;
export const NR = 8;

const { i32, v128 } = valueType;

/**
 * `gemm(ap, bp, c, mPanels, nPanels, kc, ldc, accumulate, aStride, bStride)`: for every pair of a packed A
 * panel (MR rows × kc, stored p-major: 4 floats per p) and a packed B panel (kc × NR, 8 floats per p),
 * C_tile (+)= A_panel · B_panel in float32 with 128-bit SIMD (8 accumulators of 4 lanes). Pointers and
 * ldc/strides are byte offsets into the shared memory. `accumulate` = 0 overwrites C, 1 adds to it.
 * The depth loop is unrolled U times (kc must be a multiple of U). TurboFan schedules all loads of a basic block
 * first; with a plain unroll, or MR ≥ 5, the tile no longer fits the 16 xmm registers and it spills accumulators on
 * every step (seen with --print-wasm-code), so each further step is put in its own block (docs/kernels.md).
 *
 * `epilogue(c, ldc, rows, bias, vectors, code, table)`: for `rows` rows of C from byte offset c (stride ldc
 * bytes) and `vectors` groups of 4 columns, x ← φ(x + bias) with code 0 identity, 1 tanh, 2 ReLU (NaN → 0), in
 * f32x4; `table` is the byte offset of `tanhConstantTable()` in memory (16-byte aligned).
 *
 * `pack(dst, src, depth, cols, w, sp, sc)`: one packed panel, dst[p·w + c] = src[p·sp + c·sc] for p < depth,
 * c < cols (dst, src byte offsets; sp, sc byte strides); whole 8- or 4-wide contiguous rows are copied as
 * v128. Replaces JavaScript element loops that cost ~2 ns per float (a quarter of a 128×784×512 product).
 */
export function gemmModuleBytes(maximumPages: number, MR = 4, U = 2, fma = false): Uint8Array {
  // Parameters.
  const AP = 0,
    BP = 1,
    C = 2,
    MP = 3,
    NP = 4,
    KC = 5,
    LDC = 6,
    ACC = 7,
    ASTR = 8,
    BSTR = 9;
  // i32 locals.
  const JP = 10,
    IP = 11,
    P = 12,
    APTR = 13,
    BPTR = 14,
    C0 = 15;
  const rows = Array.from({ length: MR }, (_, r) => C0 + r);
  // v128 locals.
  const ACC0 = C0 + MR,
    B0 = ACC0 + 2 * MR,
    B1 = B0 + 1,
    A = B0 + 2;
  const b: number[] = [];
  const emit = (...parts: (readonly number[])[]) => parts.forEach((x) => b.push(...x));

  emit(op.i32Const(0), op.localSet(JP), op.block, op.loop);
  emit(op.localGet(JP), op.localGet(NP), op.i32LtU, op.i32Eqz, op.brIf(1));
  emit(op.i32Const(0), op.localSet(IP), op.block, op.loop);
  emit(op.localGet(IP), op.localGet(MP), op.i32LtU, op.i32Eqz, op.brIf(1));
  // Panel pointers.
  emit(op.localGet(AP), op.localGet(IP), op.localGet(ASTR), op.i32Mul, op.i32Add, op.localSet(APTR));
  emit(op.localGet(BP), op.localGet(JP), op.localGet(BSTR), op.i32Mul, op.i32Add, op.localSet(BPTR));
  // Row pointers of the C tile: c + (ip·MR + r)·ldc + jp·NR·4.
  emit(
    op.localGet(C),
    op.localGet(IP),
    op.i32Const(MR),
    op.i32Mul,
    op.localGet(LDC),
    op.i32Mul,
    op.i32Add,
    op.localGet(JP),
    op.i32Const(NR * 4),
    op.i32Mul,
    op.i32Add,
    op.localSet(C0),
  );
  for (let r = 1; r < MR; r++) emit(op.localGet(rows[r - 1]!), op.localGet(LDC), op.i32Add, op.localSet(rows[r]!));
  // Initial accumulators.
  emit(op.localGet(ACC), op.if);
  for (let r = 0; r < MR; r++) {
    emit(op.localGet(rows[r]!), op.v128Load(0), op.localSet(ACC0 + 2 * r));
    emit(op.localGet(rows[r]!), op.v128Load(16), op.localSet(ACC0 + 2 * r + 1));
  }
  emit(op.else);
  for (let t = 0; t < 2 * MR; t++) emit(op.v128Const0, op.localSet(ACC0 + t));
  emit(op.end);
  // Inner product over p, unrolled by 2 (kc is even-padded by the packer).
  emit(op.localGet(KC), op.localSet(P), op.block, op.loop);
  emit(op.localGet(P), op.i32Eqz, op.brIf(1));
  for (let u = 0; u < U; u++) {
    // Steps after the first sit in an always-taken `if (aptr)`: a block boundary keeps TurboFan from hoisting
    // their loads above the previous step's arithmetic (which spills the tile, see above).
    if (u > 0) emit(op.localGet(APTR), op.if);
    emit(op.localGet(BPTR), op.v128Load(32 * u), op.localSet(B0));
    emit(op.localGet(BPTR), op.v128Load(32 * u + 16), op.localSet(B1));
    for (let r = 0; r < MR; r++) {
      emit(op.localGet(APTR), op.v128Load32Splat(4 * MR * u + 4 * r), op.localSet(A));
      if (fma) {
        emit(
          op.localGet(A),
          op.localGet(B0),
          op.localGet(ACC0 + 2 * r),
          op.f32x4RelaxedMadd,
          op.localSet(ACC0 + 2 * r),
        );
        emit(
          op.localGet(A),
          op.localGet(B1),
          op.localGet(ACC0 + 2 * r + 1),
          op.f32x4RelaxedMadd,
          op.localSet(ACC0 + 2 * r + 1),
        );
      } else {
        emit(
          op.localGet(ACC0 + 2 * r),
          op.localGet(A),
          op.localGet(B0),
          op.f32x4Mul,
          op.f32x4Add,
          op.localSet(ACC0 + 2 * r),
        );
        emit(
          op.localGet(ACC0 + 2 * r + 1),
          op.localGet(A),
          op.localGet(B1),
          op.f32x4Mul,
          op.f32x4Add,
          op.localSet(ACC0 + 2 * r + 1),
        );
      }
    }
    if (u > 0) emit(op.end);
  }
  emit(op.localGet(APTR), op.i32Const(U * MR * 4), op.i32Add, op.localSet(APTR));
  emit(op.localGet(BPTR), op.i32Const(U * NR * 4), op.i32Add, op.localSet(BPTR));
  emit(op.localGet(P), op.i32Const(U), op.i32Sub, op.localSet(P));
  emit(op.br(0), op.end, op.end);
  // Store the tile.
  for (let r = 0; r < MR; r++) {
    emit(op.localGet(rows[r]!), op.localGet(ACC0 + 2 * r), op.v128Store(0));
    emit(op.localGet(rows[r]!), op.localGet(ACC0 + 2 * r + 1), op.v128Store(16));
  }
  emit(op.localGet(IP), op.i32Const(1), op.i32Add, op.localSet(IP), op.br(0), op.end, op.end);
  emit(op.localGet(JP), op.i32Const(1), op.i32Add, op.localSet(JP), op.br(0), op.end, op.end);

  return assembleModule(
    [
      {
        name: 'gemm',
        params: new Array<number>(10).fill(i32),
        locals: [...new Array<number>(5 + MR).fill(i32), ...new Array<number>(2 * MR + 3).fill(v128)],
        body: b,
      },
      epilogueFunction(),
      packFunction(),
    ],
    { initial: 1, maximum: maximumPages, shared: true },
  );
}

/**
 * tanh in float32 SIMD (after Cephes `tanhf`, S. L. Moshier): |x| < 0.625 by x + x·z·P(z), z = x², the minimax
 * polynomial of Cephes; otherwise sign(x)·(1 − 2/(e^{2|x|} + 1)) with e^u = 2^n·e^g, n = round(u·log₂e) (by
 * adding 1.5·2^23, whose low bits then hold n), g = u − n·ln2 (ln2 in two parts), e^g by Cephes' `expf`
 * polynomial, 2^n added to the exponent bits; |x| is clamped to 10 (tanh(10) rounds to 1 in float32). NaN stays
 * NaN, ±∞ gives ±1. Measured against Math.tanh on a dense grid in wasm-gemm.spec.ts (≤ 2 ε·|tanh x|).
 * Constants are read from a table in memory (`tanhConstantTable()`, at the byte offset given to `epilogue`):
 * V8 rebuilds v128 constants (and locals set once) inside the loop with three instructions each, and spills.
 */
export const TANH_CONSTANTS = [
  -5.70498872745e-3,
  2.06390887954e-2,
  -5.37397155531e-2,
  1.33314422036e-1,
  -3.33332819422e-1, // P(z)
  10,
  1.44269504088896341,
  12582912,
  0.693359375,
  -2.1219444e-4, // clamp, log₂e, 1.5·2^23, ln2 = c1 + c2
  1.98756915e-4,
  1.3981999507e-3,
  8.3334519073e-3,
  4.1665795894e-2,
  1.6666665459e-1,
  5.0000001201e-1, // Q(g)
  1,
  2,
  0.625,
] as const;

function emitTanh(
  emit: (...parts: (readonly number[])[]) => void,
  K: number,
  X: number,
  AX: number,
  Z: number,
  T: number,
  N: number,
  G: number,
): void {
  const k = (i: number) => [...op.localGet(K), ...op.v128Load(16 * i)];
  const [P0, P1, P2, P3, P4, CLAMP, LOG2E, MAGIC, C1, C2, Q0, Q1, Q2, Q3, Q4, Q5, ONE, TWO, SMALL] = TANH_CONSTANTS.map(
    (_, i) => i,
  );
  // Small branch into Z: x + x·z·P(z).
  emit(op.localGet(X), op.f32x4Abs, op.localSet(AX));
  emit(op.localGet(X), op.localGet(X), op.f32x4Mul, op.localSet(Z));
  emit(k(P0!), op.localGet(Z), op.f32x4Mul, k(P1!), op.f32x4Add);
  emit(op.localGet(Z), op.f32x4Mul, k(P2!), op.f32x4Add);
  emit(op.localGet(Z), op.f32x4Mul, k(P3!), op.f32x4Add);
  emit(op.localGet(Z), op.f32x4Mul, k(P4!), op.f32x4Add);
  emit(op.localGet(Z), op.f32x4Mul, op.localGet(X), op.f32x4Mul, op.localGet(X), op.f32x4Add, op.localSet(Z));
  // Large branch: u = 2·min(|x|, 10) into T; N = u·log₂e + 1.5·2^23 (n in its low mantissa bits); G = g.
  emit(op.localGet(AX), k(CLAMP!), op.f32x4Pmin, op.localTee(T), op.localGet(T), op.f32x4Add, op.localSet(T));
  emit(op.localGet(T), k(LOG2E!), op.f32x4Mul, k(MAGIC!), op.f32x4Add, op.localSet(N));
  emit(op.localGet(N), k(MAGIC!), op.f32x4Sub, op.localSet(G)); // n as a float
  emit(op.localGet(T), op.localGet(G), k(C1!), op.f32x4Mul, op.f32x4Sub);
  emit(op.localGet(G), k(C2!), op.f32x4Mul, op.f32x4Sub, op.localSet(G));
  // e^g = 1 + g + g²·Q(g).
  emit(k(Q0!), op.localGet(G), op.f32x4Mul, k(Q1!), op.f32x4Add);
  emit(op.localGet(G), op.f32x4Mul, k(Q2!), op.f32x4Add);
  emit(op.localGet(G), op.f32x4Mul, k(Q3!), op.f32x4Add);
  emit(op.localGet(G), op.f32x4Mul, k(Q4!), op.f32x4Add);
  emit(op.localGet(G), op.f32x4Mul, k(Q5!), op.f32x4Add);
  emit(op.localGet(G), op.f32x4Mul, op.localGet(G), op.f32x4Mul, op.localGet(G), op.f32x4Add, k(ONE!), op.f32x4Add);
  // · 2^n: (bits of N) << 23 is n << 23 (the bits of 1.5·2^23 shift out), added to the exponent field.
  emit(op.localGet(N), op.i32Const(23), op.i32x4Shl, op.i32x4Add);
  // 1 − 2/(e + 1), with the sign of x.
  emit(k(ONE!), op.f32x4Add, op.localSet(T));
  emit(k(ONE!), k(TWO!), op.localGet(T), op.f32x4Div, op.f32x4Sub);
  emit(op.localGet(X), op.localGet(X), op.f32x4Abs, op.v128Xor /* the sign bit */, op.v128Or, op.localSet(T));
  // Select: small where |x| < 0.625.
  emit(op.localGet(Z), op.localGet(T), op.localGet(AX), k(SMALL!), op.f32x4Lt, op.v128Bitselect, op.localSet(X));
}

function epilogueFunction(): { name: string; params: number[]; locals: number[]; body: number[] } {
  const C = 0,
    LDC = 1,
    ROWS = 2,
    BIAS = 3,
    NV = 4,
    CODE = 5,
    K = 6;
  const R = 7,
    J = 8,
    PTR = 9,
    BPTR = 10;
  const X = 11,
    AX = 12,
    Z = 13,
    T = 14,
    N = 15,
    G = 16;
  const b: number[] = [];
  const emit = (...parts: (readonly number[])[]) => parts.forEach((x) => b.push(...x));
  // One loop nest per code (a branch per vector would cost more than ReLU itself).
  const nest = (code: number, prologue: () => void, body: () => void) => {
    emit(op.localGet(CODE), op.i32Const(code), op.i32Eq, op.if);
    prologue();
    emit(op.i32Const(0), op.localSet(R), op.block, op.loop);
    emit(op.localGet(R), op.localGet(ROWS), op.i32LtU, op.i32Eqz, op.brIf(1));
    emit(op.localGet(C), op.localGet(R), op.localGet(LDC), op.i32Mul, op.i32Add, op.localSet(PTR));
    emit(op.localGet(BIAS), op.localSet(BPTR), op.i32Const(0), op.localSet(J), op.block, op.loop);
    emit(op.localGet(J), op.localGet(NV), op.i32LtU, op.i32Eqz, op.brIf(1));
    emit(op.localGet(PTR), op.v128Load(0), op.localGet(BPTR), op.v128Load(0), op.f32x4Add, op.localSet(X));
    body();
    emit(op.localGet(PTR), op.localGet(X), op.v128Store(0));
    emit(op.localGet(PTR), op.i32Const(16), op.i32Add, op.localSet(PTR));
    emit(op.localGet(BPTR), op.i32Const(16), op.i32Add, op.localSet(BPTR));
    emit(op.localGet(J), op.i32Const(1), op.i32Add, op.localSet(J), op.br(0), op.end, op.end);
    emit(op.localGet(R), op.i32Const(1), op.i32Add, op.localSet(R), op.br(0), op.end, op.end);
    emit(op.end);
  };
  nest(
    0,
    () => {},
    () => {},
  );
  nest(
    1,
    () => {},
    () => emitTanh(emit, K, X, AX, Z, T, N, G),
  );
  // ReLU: x where x > 0, else +0 (NaN compares false: 0, as the twin).
  nest(
    2,
    () => {},
    () => emit(op.localGet(X), op.localGet(X), op.f32x4Const(0), op.f32x4Gt, op.v128And, op.localSet(X)),
  );
  return {
    name: 'epilogue',
    params: new Array<number>(7).fill(i32),
    locals: [...new Array<number>(4).fill(i32), ...new Array<number>(6).fill(v128)],
    body: b,
  };
}

/** The constants of the SIMD tanh, each in four lanes, to be placed in memory for `epilogue`. */
export function tanhConstantTable(): Float32Array {
  return Float32Array.from(TANH_CONSTANTS.flatMap((c) => [c, c, c, c]));
}

function packFunction(): { name: string; params: number[]; locals: number[]; body: number[] } {
  const DST = 0,
    SRC = 1,
    DEPTH = 2,
    COLS = 3,
    W = 4,
    SP = 5,
    SC = 6;
  const P = 7,
    S = 8,
    D = 9,
    CC = 10;
  const b: number[] = [];
  const emit = (...parts: (readonly number[])[]) => parts.forEach((x) => b.push(...x));
  // Contiguous whole rows of `width` floats: v128 copies.
  const contiguous = (width: number) => {
    emit(op.localGet(SC), op.i32Const(4), op.i32Eq, op.localGet(COLS), op.i32Const(width), op.i32Eq, op.i32And);
    emit(op.localGet(W), op.i32Const(width), op.i32Eq, op.i32And, op.if);
    emit(op.localGet(DEPTH), op.localSet(P), op.block, op.loop);
    emit(op.localGet(P), op.i32Eqz, op.brIf(1));
    for (let v = 0; v < width / 4; v++)
      emit(op.localGet(DST), op.localGet(SRC), op.v128Load(16 * v), op.v128Store(16 * v));
    emit(op.localGet(DST), op.i32Const(4 * width), op.i32Add, op.localSet(DST));
    emit(op.localGet(SRC), op.localGet(SP), op.i32Add, op.localSet(SRC));
    emit(op.localGet(P), op.i32Const(1), op.i32Sub, op.localSet(P), op.br(0), op.end, op.end);
    emit([0x0f] /* return */, op.end);
  };
  contiguous(8);
  contiguous(4);
  // General: element copies.
  emit(op.localGet(DEPTH), op.localSet(P), op.block, op.loop);
  emit(op.localGet(P), op.i32Eqz, op.brIf(1));
  emit(
    op.localGet(SRC),
    op.localSet(S),
    op.localGet(DST),
    op.localSet(D),
    op.localGet(COLS),
    op.localSet(CC),
    op.block,
    op.loop,
  );
  emit(op.localGet(CC), op.i32Eqz, op.brIf(1));
  emit(op.localGet(D), op.localGet(S), op.i32Load(0), op.i32Store(0));
  emit(op.localGet(D), op.i32Const(4), op.i32Add, op.localSet(D));
  emit(op.localGet(S), op.localGet(SC), op.i32Add, op.localSet(S));
  emit(op.localGet(CC), op.i32Const(1), op.i32Sub, op.localSet(CC), op.br(0), op.end, op.end);
  emit(op.localGet(DST), op.localGet(W), op.i32Const(2), op.i32Shl, op.i32Add, op.localSet(DST));
  emit(op.localGet(SRC), op.localGet(SP), op.i32Add, op.localSet(SRC));
  emit(op.localGet(P), op.i32Const(1), op.i32Sub, op.localSet(P), op.br(0), op.end, op.end);
  return { name: 'pack', params: new Array<number>(7).fill(i32), locals: new Array<number>(4).fill(i32), body: b };
}
