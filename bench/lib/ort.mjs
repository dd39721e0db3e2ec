// onnxruntime-web in Node, wasm backend, 1 thread, SIMD; and ONNX graphs built with onnx-proto.
//
// Loading: `import * as ort from 'onnxruntime-web'` resolves (package.json "exports" -> "node")
// to dist/ort.node.min.mjs, which loads dist/ort-wasm-simd-threaded.{mjs,wasm} from its own
// directory via import.meta.url, so no env.wasm.wasmPaths is needed. That build is the only
// one ORT 1.30 ships for plain wasm; it is SIMD-enabled, and numThreads = 1 keeps it on the
// calling thread (no worker pool, no SharedArrayBuffer-backed parallelism).
import * as ort from 'onnxruntime-web';
import onnxPkg from 'onnx-proto';

const { onnx } = onnxPkg;

let configured = false;
export function getOrt() {
  if (!configured) {
    ort.env.wasm.numThreads = 1;
    if ('simd' in ort.env.wasm) ort.env.wasm.simd = true; // deprecated knob in 1.30; SIMD is always on
    ort.env.wasm.proxy = false; // run on this thread, not a proxy worker
    ort.env.logLevel = 'error';
    configured = true;
  }
  return ort;
}

export function ortVersion() {
  return ort.env.versions?.web ?? 'unknown';
}

const DT = onnx.TensorProto.DataType;

function valueInfo(name, elemType, dims) {
  return { name, type: { tensorType: { elemType, shape: { dim: dims.map((d) => ({ dimValue: d })) } } } };
}

function bytesOf(typed) {
  return new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength);
}

function modelBytes(graph, opset) {
  const model = onnx.ModelProto.create({
    irVersion: 7,
    opsetImport: [{ domain: '', version: opset }],
    producerName: 'spikelet-bench',
    graph,
  });
  return onnx.ModelProto.encode(model).finish();
}

/** y[batch, out] = x[batch, in] (f32) . W[in, out] (f32 initializer), ONNX MatMul, opset 13. */
export function matmulF32Model(Wio, batch, nIn, nOut, opset = 13) {
  if (!(Wio instanceof Float32Array) || Wio.length !== nIn * nOut) throw new Error('matmulF32Model: W must be Float32Array [in*out]');
  return modelBytes({
    name: `matmul_f32_${nOut}x${nIn}_b${batch}`,
    node: [{ opType: 'MatMul', input: ['x', 'W'], output: ['y'], name: 'mm' }],
    initializer: [{ name: 'W', dims: [nIn, nOut], dataType: DT.FLOAT, rawData: bytesOf(Wio) }],
    input: [valueInfo('x', DT.FLOAT, [batch, nIn])],
    output: [valueInfo('y', DT.FLOAT, [batch, nOut])],
  }, opset);
}

/**
 * y[batch, out] (int32) = x[batch, in] (uint8) . W[in, out] (int8 initializer), ONNX
 * MatMulInteger with zero points omitted (= 0), opset 13. uint8 activations: ORT's fast path.
 */
export function matmulIntegerModel(Wio, batch, nIn, nOut, opset = 13) {
  if (!(Wio instanceof Int8Array) || Wio.length !== nIn * nOut) throw new Error('matmulIntegerModel: W must be Int8Array [in*out]');
  return modelBytes({
    name: `matmul_integer_u8s8_${nOut}x${nIn}_b${batch}`,
    node: [{ opType: 'MatMulInteger', input: ['x', 'W'], output: ['y'], name: 'mmi' }],
    initializer: [{ name: 'W', dims: [nIn, nOut], dataType: DT.INT8, rawData: bytesOf(Wio) }],
    input: [valueInfo('x', DT.UINT8, [batch, nIn])],
    output: [valueInfo('y', DT.INT32, [batch, nOut])],
  }, opset);
}

/** One InferenceSession on the wasm EP, graph optimisations on (ORT's default). */
export async function createSession(bytes) {
  const o = getOrt();
  return o.InferenceSession.create(bytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
}
