/**
 * A minimal WebAssembly binary writer: just enough to emit the SIMD GEMM module of `wasm-gemm-module.ts`
 * without a compiler toolchain (the machines running Entroscope have only npm). Instructions are written
 * as byte arrays by the helpers below; see the WebAssembly core specification §5 (binary format) and the
 * fixed-width SIMD proposal for the opcodes.
 */
export function uleb(value: number): number[] {
  const out: number[] = [];
  let v = value >>> 0;
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
  return out;
}

export function sleb(value: number): number[] {
  const out: number[] = [];
  let v = value | 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

const I32 = 0x7f;
const V128 = 0x7b;
export const valueType = { i32: I32, v128: V128 } as const;

/** Instruction helpers (each returns the encoded bytes). */
export const op = {
  localGet: (i: number) => [0x20, ...uleb(i)],
  localSet: (i: number) => [0x21, ...uleb(i)],
  localTee: (i: number) => [0x22, ...uleb(i)],
  i32Const: (v: number) => [0x41, ...sleb(v)],
  i32Add: [0x6a],
  i32Sub: [0x6b],
  i32Mul: [0x6c],
  i32Shl: [0x74],
  i32LtU: [0x49],
  i32Eqz: [0x45],
  i32Eq: [0x46],
  i32And: [0x71],
  /** i32.load / i32.store (alignment 2^2): bit-exact copies of float32 values. */
  i32Load: (offset = 0) => [0x28, 2, ...uleb(offset)],
  i32Store: (offset = 0) => [0x36, 2, ...uleb(offset)],
  block: [0x02, 0x40],
  loop: [0x03, 0x40],
  if: [0x04, 0x40],
  else: [0x05],
  end: [0x0b],
  br: (depth: number) => [0x0c, ...uleb(depth)],
  brIf: (depth: number) => [0x0d, ...uleb(depth)],
  /** v128.load with alignment 2^4 and a constant offset. */
  v128Load: (offset = 0) => [0xfd, ...uleb(0x00), 4, ...uleb(offset)],
  v128Store: (offset = 0) => [0xfd, ...uleb(0x0b), 4, ...uleb(offset)],
  /** v128.load32_splat (alignment 2^2). */
  v128Load32Splat: (offset = 0) => [0xfd, ...uleb(0x09), 2, ...uleb(offset)],
  v128Const0: [0xfd, ...uleb(0x0c), ...new Array<number>(16).fill(0)],
  /** v128.const holding the float32 `value` in all four lanes. */
  f32x4Const: (value: number) => {
    const bytes = new Uint8Array(new Float32Array([value, value, value, value]).buffer);
    return [0xfd, ...uleb(0x0c), ...Array.from(bytes)];
  },
  /** v128.const holding the int32 `value` in all four lanes. */
  i32x4Const: (value: number) => {
    const bytes = new Uint8Array(new Int32Array([value, value, value, value]).buffer);
    return [0xfd, ...uleb(0x0c), ...Array.from(bytes)];
  },
  v128And: [0xfd, ...uleb(0x4e)],
  /** Relaxed SIMD f32x4.relaxed_madd(a, b, c) = a·b + c, fused or not (Node 20: --experimental-wasm-relaxed-simd). */
  f32x4RelaxedMadd: [0xfd, ...uleb(0x105)],
  v128Or: [0xfd, ...uleb(0x50)],
  v128Xor: [0xfd, ...uleb(0x51)],
  /** v128.bitselect(a, b, mask): bits of a where mask is 1, of b elsewhere. */
  v128Bitselect: [0xfd, ...uleb(0x52)],
  f32x4Lt: [0xfd, ...uleb(0x43)],
  f32x4Gt: [0xfd, ...uleb(0x44)],
  f32x4Nearest: [0xfd, ...uleb(0x6a)],
  f32x4Abs: [0xfd, ...uleb(0xe0)],
  f32x4Add: [0xfd, ...uleb(0xe4)],
  f32x4Sub: [0xfd, ...uleb(0xe5)],
  f32x4Mul: [0xfd, ...uleb(0xe6)],
  f32x4Div: [0xfd, ...uleb(0xe7)],
  /** f32x4.min (NaN if either lane is NaN). */
  f32x4Min: [0xfd, ...uleb(0xe8)],
  /** f32x4.pmin(a, b) = b < a ? b : a (one minps; a NaN in a stays). */
  f32x4Pmin: [0xfd, ...uleb(0xea)],
  i32x4Shl: [0xfd, ...uleb(0xab)],
  i32x4Add: [0xfd, ...uleb(0xae)],
  i32x4TruncSatF32x4S: [0xfd, ...uleb(0xf8)],
} as const;

export interface FunctionSpec {
  name: string;
  params: number[];
  /** Extra locals, in order after the parameters. */
  locals: number[];
  body: number[];
}

/** A module importing one (shared) memory `env.memory` and exporting the given functions (no results). */
export function assembleModule(
  functions: FunctionSpec[],
  memory: { initial: number; maximum: number; shared: boolean },
): Uint8Array {
  const section = (id: number, payload: number[]) => [id, ...uleb(payload.length), ...payload];
  const vec = (items: number[][]) => [...uleb(items.length), ...items.flat()];
  const name = (s: string) => [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];
  const types = section(1, vec(functions.map((f) => [0x60, ...vec(f.params.map((t) => [t])), 0])));
  const memLimits = [memory.shared ? 0x03 : 0x01, ...uleb(memory.initial), ...uleb(memory.maximum)];
  const imports = section(2, vec([[...name('env'), ...name('memory'), 0x02, ...memLimits]]));
  const funcs = section(3, vec(functions.map((_, i) => uleb(i))));
  const exports = section(7, vec(functions.map((f, i) => [...name(f.name), 0x00, ...uleb(i)])));
  const code = section(
    10,
    vec(
      functions.map((f) => {
        // Locals compressed into runs of equal type.
        const runs: number[][] = [];
        for (const t of f.locals) {
          const last = runs[runs.length - 1];
          if (last && last[1] === t) last[0]!++;
          else runs.push([1, t]);
        }
        const body = [...vec(runs.map(([count, t]) => [...uleb(count!), t!])), ...f.body, 0x0b];
        return [...uleb(body.length), ...body];
      }),
    ),
  );
  return Uint8Array.from([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...types,
    ...imports,
    ...funcs,
    ...exports,
    ...code,
  ]);
}
