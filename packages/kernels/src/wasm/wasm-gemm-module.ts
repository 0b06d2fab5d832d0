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
 */
export function gemmModuleBytes(maximumPages: number, MR = 4): Uint8Array {
  // Parameters.
  const AP = 0, BP = 1, C = 2, MP = 3, NP = 4, KC = 5, LDC = 6, ACC = 7, ASTR = 8, BSTR = 9;
  // i32 locals.
  const JP = 10, IP = 11, P = 12, APTR = 13, BPTR = 14, C0 = 15;
  const rows = Array.from({ length: MR }, (_, r) => C0 + r);
  // v128 locals.
  const ACC0 = C0 + MR, B0 = ACC0 + 2 * MR, B1 = B0 + 1, A = B0 + 2;
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
  emit(op.localGet(C), op.localGet(IP), op.i32Const(MR), op.i32Mul, op.localGet(LDC), op.i32Mul, op.i32Add, op.localGet(JP), op.i32Const(NR * 4), op.i32Mul, op.i32Add, op.localSet(C0));
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
  for (let u = 0; u < 2; u++) {
    emit(op.localGet(BPTR), op.v128Load(32 * u), op.localSet(B0));
    emit(op.localGet(BPTR), op.v128Load(32 * u + 16), op.localSet(B1));
    for (let r = 0; r < MR; r++) {
      emit(op.localGet(APTR), op.v128Load32Splat(4 * MR * u + 4 * r), op.localSet(A));
      emit(op.localGet(ACC0 + 2 * r), op.localGet(A), op.localGet(B0), op.f32x4Mul, op.f32x4Add, op.localSet(ACC0 + 2 * r));
      emit(op.localGet(ACC0 + 2 * r + 1), op.localGet(A), op.localGet(B1), op.f32x4Mul, op.f32x4Add, op.localSet(ACC0 + 2 * r + 1));
    }
  }
  emit(op.localGet(APTR), op.i32Const(2 * MR * 4), op.i32Add, op.localSet(APTR));
  emit(op.localGet(BPTR), op.i32Const(2 * NR * 4), op.i32Add, op.localSet(BPTR));
  emit(op.localGet(P), op.i32Const(2), op.i32Sub, op.localSet(P));
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
    ],
    { initial: 1, maximum: maximumPages, shared: true },
  );
}
