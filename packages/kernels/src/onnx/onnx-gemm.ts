import { availableParallelism } from 'node:os';
import * as path from 'node:path';
import { isMainThread } from 'node:worker_threads';
import type { Activation, MatmulOptions } from '../kernel-names';
import { checkMatmul, matmulCpu } from '../cpu/matmul-cpu';

/**
 * Dense products on ONNX Runtime's CPU kernels (MLAS, the native GEMM inside the npm package `onnxruntime-node`,
 * whose install script is skipped: it only fetches GPU builds). One tiny ONNX graph per combination of
 * (transposeA, transposeB, bias, activation): Gemm(A, B[, C]) with `transA`/`transB` attributes and all
 * dimensions symbolic, then the activation node (Tanh, Relu, Sigmoid, Erf). Sessions are created once and cached.
 * Float32 in and out; MLAS accumulates in float32 with its own blocking (conformance tolerance as WasmGemm).
 * Measured 3–3.5× faster per core than WasmGemm on this machine (docs/kernels.md).
 */

/** The tensor objects the native binding reads (type, dims, data) and creates for outputs. */
class RawTensor {
  readonly location = 'cpu';
  constructor(
    readonly type: string,
    readonly data: Float32Array,
    readonly dims: readonly number[],
  ) {}
}
interface NativeSession {
  loadModel(buffer: ArrayBuffer, byteOffset: number, byteLength: number, options: Record<string, unknown>): void;
  run(
    feeds: Record<string, RawTensor>,
    fetches: Record<string, null>,
    options: Record<string, unknown>,
  ): Record<string, RawTensor>;
}
interface NativeBinding {
  InferenceSession: new () => NativeSession;
  initOrtOnce(logLevel: number, tensor: unknown, isMainThread: boolean): void;
}

let native: NativeBinding | null | undefined;
let loadError: string | null = null;

/**
 * The native binding of onnxruntime-node (its synchronous session; the package's JavaScript wrapper is not used:
 * it adds a setImmediate per call and checks `instanceof Float32Array`, which fails across jest's vm realms).
 * Null when it cannot be loaded here (then `onnxUnavailableReason()` says why).
 */
export function onnxRuntime(): NativeBinding | null {
  if (native === undefined) {
    try {
      const dir = path.dirname(require.resolve('onnxruntime-node/package.json'));
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const binding = require(
        path.join(dir, 'bin', 'napi-v6', process.platform, process.arch, 'onnxruntime_binding.node'),
      ) as NativeBinding;
      binding.initOrtOnce(3 /* errors only */, RawTensor, isMainThread);
      native = binding;
    } catch (error) {
      native = null;
      loadError = `onnxruntime-node cannot be loaded: ${(error as Error).message.split('\n')[0]}`;
    }
  }
  return native;
}

let enabled = true;

/**
 * Turns the ONNX Runtime dense product of the `cpu` backend off (then the WebAssembly engine serves it) or back
 * on, process-wide. For ablation measurements (tools/bench/nn-epoch.js --engine=wasm); studies never call it.
 */
export function setOnnxGemmEnabled(on: boolean): void {
  enabled = on;
}

export function onnxGemmEnabled(): boolean {
  return enabled && onnxRuntime() !== null;
}

export function onnxUnavailableReason(): string | null {
  return onnxRuntime() ? null : loadError;
}

// Minimal protobuf encoding of an ONNX ModelProto (field numbers from onnx/onnx.proto).
const varint = (value: number): number[] => {
  const out: number[] = [];
  let v = value;
  do {
    let byte = v % 128;
    v = Math.floor(v / 128);
    if (v > 0) byte |= 0x80;
    out.push(byte);
  } while (v > 0);
  return out;
};
const key = (field: number, wire: number) => varint(field * 8 + wire);
const message = (field: number, bytes: readonly number[]) => [...key(field, 2), ...varint(bytes.length), ...bytes];
const text = (field: number, s: string) => message(field, [...Buffer.from(s, 'utf8')]);
const integer = (field: number, v: number) => [...key(field, 0), ...varint(v)];
const intAttribute = (name: string, v: number) => [...text(1, name), ...integer(3, v), ...integer(20, 2 /* INT */)];
const floatTensorInfo = (name: string, dims: readonly string[]) => [
  ...text(1, name),
  ...message(
    2,
    message(1, [
      ...integer(1, 1 /* FLOAT */),
      ...message(
        2,
        dims.flatMap((d) => message(1, text(2, d))),
      ),
    ]),
  ),
];

const activationOps: Record<Activation, string | null> = {
  identity: null,
  tanh: 'Tanh',
  relu: 'Relu',
  sigmoid: 'Sigmoid',
  erf: 'Erf',
};

/** The ONNX model of C = φ(op(A)·op(B) + bias) with symbolic M, K, N (opset 13, IR version 8). */
export function gemmModelBytes(
  transposeA: boolean,
  transposeB: boolean,
  bias: boolean,
  activation: Activation,
): Uint8Array {
  const op = activationOps[activation];
  const inputs = ['A', 'B', ...(bias ? ['C'] : [])];
  const gemm = [
    ...inputs.flatMap((i) => text(1, i)),
    ...text(2, op ? 'Z' : 'Y'),
    ...text(4, 'Gemm'),
    ...message(5, intAttribute('transA', transposeA ? 1 : 0)),
    ...message(5, intAttribute('transB', transposeB ? 1 : 0)),
  ];
  const nodes = [...message(1, gemm), ...(op ? message(1, [...text(1, 'Z'), ...text(2, 'Y'), ...text(4, op)]) : [])];
  const graph = [
    ...nodes,
    ...text(2, 'entroscope-gemm'),
    ...message(11, floatTensorInfo('A', transposeA ? ['K', 'M'] : ['M', 'K'])),
    ...message(11, floatTensorInfo('B', transposeB ? ['N', 'K'] : ['K', 'N'])),
    ...(bias ? message(11, floatTensorInfo('C', ['N'])) : []),
    ...message(12, floatTensorInfo('Y', ['M', 'N'])),
  ];
  return Uint8Array.from([...integer(1, 8), ...message(8, [...text(1, ''), ...integer(2, 13)]), ...message(7, graph)]);
}

const sessions = new Map<string, NativeSession>();
let intraOpThreads = Math.min(8, availableParallelism());

/** Threads of ONNX Runtime's pool for later products (default: the available cores, at most 8). */
export function setOnnxGemmThreads(threads: number): void {
  intraOpThreads = Math.max(1, Math.floor(threads));
  sessions.clear();
}

function sessionFor(
  ort: NativeBinding,
  transposeA: boolean,
  transposeB: boolean,
  bias: boolean,
  activation: Activation,
): NativeSession {
  const id = `${transposeA ? 1 : 0}${transposeB ? 1 : 0}${bias ? 1 : 0}${activation}`;
  let session = sessions.get(id);
  if (!session) {
    session = new ort.InferenceSession();
    const model = gemmModelBytes(transposeA, transposeB, bias, activation);
    session.loadModel(model.buffer as ArrayBuffer, model.byteOffset, model.byteLength, {
      intraOpNumThreads: intraOpThreads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
      logSeverityLevel: 3,
      // Each session has its own pool; spinning pools of the 8 sessions of a training step starve each other
      // (an epoch took 3× longer than with spinning off).
      extra: { session: { intra_op: { allow_spinning: '0' } } },
    });
    sessions.set(id, session);
  }
  return session;
}

/**
 * `matmulCpu` semantics on ONNX Runtime (synchronous). Empty products, unknown activations and a missing runtime
 * go to the TypeScript twin.
 */
export function matmulOnnx(
  a: Float32Array,
  b: Float32Array,
  m: number,
  k: number,
  n: number,
  options: MatmulOptions = {},
): Float32Array {
  checkMatmul('matmulOnnx', a, b, m, k, n, options);
  const ort = onnxRuntime();
  const { transposeA = false, transposeB = false, bias, activation = 'identity' } = options;
  if (!ort || m === 0 || n === 0 || k === 0 || !(activation in activationOps)) return matmulCpu(a, b, m, k, n, options);
  const session = sessionFor(ort, transposeA, transposeB, bias !== undefined, activation);
  const feeds: Record<string, RawTensor> = {
    A: new RawTensor('float32', a, transposeA ? [k, m] : [m, k]),
    B: new RawTensor('float32', b, transposeB ? [n, k] : [k, n]),
  };
  if (bias) feeds['C'] = new RawTensor('float32', bias, [n]);
  const y = session.run(feeds, { Y: null }, {})['Y']!.data;
  if (options.out) {
    options.out.set(y);
    return options.out;
  }
  // A view of this realm over the binding's buffer (no copy): the binding's arrays belong to the main realm,
  // and `instanceof Float32Array` checks fail for them inside vm contexts such as jest's.
  return new Float32Array(y.buffer, y.byteOffset, m * n);
}
