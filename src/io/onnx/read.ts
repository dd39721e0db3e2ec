// ONNX (a feed-forward ANN) → AnnModel. Decoding is onnx-proto's (protobufjs); this file turns
// the decoded graph into a chain of float layers:
//   Gemm, MatMul (+ Add of a constant bias)       → dense   (weight [out, in])
//   Conv (2-D; stride, pads, dilations, group, auto_pad; + Add of a per-channel constant) → conv
//   Relu → relu;  AveragePool / MaxPool / GlobalAveragePool → pooling;  Pad (constant) → pad
//   Flatten, Reshape → reshape (row-major: nothing moves)
//   BatchNormalization → folded into the Gemm / MatMul / Conv before it
//   Dropout, Identity, a final Softmax / LogSoftmax → removed; Constant → a constant tensor
// Initializers may store data in raw_data or in the typed fields (float_data, int64_data, ...).
// The graph must be a chain (one activation flows from the input to the output); opsets 11–20
// of the default domain. Every rejection is a SpikeletError naming the node and the field.
import { SpikeletError } from '../../errors.js';
import { loadOnnxProto, num, type OnnxAttribute, type OnnxModelProto, type OnnxNode, type OnnxProtoModule, type OnnxTensor } from './proto.js';
import { shapeSize, type AnnConv, type AnnDense, type AnnLayer, type AnnModel } from './model.js';

const WHERE = 'readOnnx';

/** ONNX operators `readOnnx` accepts (default domain). */
export const ONNX_SUPPORTED_OPS: readonly string[] = [
  'Gemm', 'MatMul', 'Add', 'Conv', 'Relu', 'AveragePool', 'GlobalAveragePool', 'MaxPool', 'Pad', 'Constant',
  'Flatten', 'Reshape', 'BatchNormalization', 'Dropout', 'Identity', 'Softmax', 'LogSoftmax',
];

/** Default-domain opset versions `readOnnx` accepts, inclusive. */
export const ONNX_OPSET_RANGE: readonly [number, number] = [11, 20];

/** Options of {@link readOnnx}. */
export interface ReadOnnxOptions {
  /**
   * Per-sample input shape (without the batch dimension) when the file leaves dimensions other
   * than the batch symbolic, e.g. `[1, 8, 8]`.
   */
  readonly inputShape?: readonly number[];
}

/** A constant tensor: float data or integer data, and its dims. */
interface Const {
  readonly dims: number[];
  readonly f?: Float32Array;
  readonly i?: number[];
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const DTYPE_NAMES: Record<number, string> = {
  1: 'FLOAT', 2: 'UINT8', 3: 'INT8', 4: 'UINT16', 5: 'INT16', 6: 'INT32', 7: 'INT64', 8: 'STRING', 9: 'BOOL',
  10: 'FLOAT16', 11: 'DOUBLE', 12: 'UINT32', 13: 'UINT64', 14: 'COMPLEX64', 15: 'COMPLEX128', 16: 'BFLOAT16',
};

/**
 * Reads an ONNX model of a feed-forward ANN.
 * @param bytes The `.onnx` file.
 * @param options A per-sample input shape when the file's is symbolic.
 * @returns The network as a chain of float layers (BatchNormalization folded, no-ops removed).
 * @throws SpikeletError `bad_file` (truncated or malformed protobuf, missing initializer or input),
 *   `unsupported` (an operator outside {@link ONNX_SUPPORTED_OPS}, an opset outside 11–20, a
 *   branch), `shape_mismatch` (weights that do not fit the activation they meet); each names the
 *   node and the field.
 * @example
 * const ann = await readOnnx(readFileSync('digits_cnn.onnx'));
 * const logits = runAnn(ann, pixels, { runtime: Runtime.createSync() });
 */
export async function readOnnx(bytes: Uint8Array | ArrayBuffer, options: ReadOnnxOptions = {}): Promise<AnnModel> {
  const proto = await loadOnnxProto(WHERE);
  return decodeOnnx(proto, bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes), options);
}

/** True when the bytes plausibly start an ONNX ModelProto (field 1 `ir_version`, a varint). */
export function isOnnx(bytes: Uint8Array): boolean {
  return bytes.length > 2 && bytes[0] === 0x08 && bytes[1] > 0 && bytes[1] < 0x20;
}

function decodeOnnx(proto: OnnxProtoModule, bytes: Uint8Array, options: ReadOnnxOptions): AnnModel {
  let model: OnnxModelProto;
  try {
    model = proto.onnx.ModelProto.decode(bytes);
  } catch (e) {
    throw new SpikeletError('bad_file', WHERE, 'file', `a complete ONNX ModelProto (protobuf) of ${bytes.length} bytes`, (e as Error).message);
  }
  const graph = model.graph;
  if (!graph || !graph.node || graph.node.length === 0) {
    throw new SpikeletError('bad_file', WHERE, 'model.graph', 'a graph with nodes', graph ? 'a graph without nodes' : 'no graph');
  }
  // Opset of the default domain.
  const ops = (model.opsetImport ?? []).filter((o) => !o.domain || o.domain === 'ai.onnx');
  if (ops.length === 0) throw new SpikeletError('bad_file', WHERE, 'model.opset_import', 'an entry for the default domain', model.opsetImport?.length ?? 0);
  const opset = num(ops[0].version);
  if (opset < ONNX_OPSET_RANGE[0] || opset > ONNX_OPSET_RANGE[1]) {
    throw new SpikeletError('unsupported', WHERE, 'model.opset_import.version', `an opset in [${ONNX_OPSET_RANGE.join(', ')}]`, opset);
  }

  const consts = new Map<string, Const>();
  (graph.initializer ?? []).forEach((t, k) => {
    const name = t.name ?? '';
    if (!name) throw new SpikeletError('bad_file', WHERE, `graph.initializer[${k}].name`, 'a non-empty name', name);
    consts.set(name, tensorOf(t, `initializer "${name}"`));
  });
  if ((graph.sparseInitializer ?? []).length > 0) {
    throw new SpikeletError('unsupported', WHERE, 'graph.sparse_initializer', 'dense initializers only', graph.sparseInitializer!.length);
  }

  // The one real input (older IR versions also list initializers as inputs).
  const inputs = (graph.input ?? []).filter((v) => !consts.has(v.name ?? ''));
  if (inputs.length !== 1) {
    throw new SpikeletError('unsupported', WHERE, 'graph.input', 'exactly one non-initializer input', inputs.map((v) => v.name).join(', ') || 'none');
  }
  const input = inputs[0];
  const inputName = input.name ?? '';
  const tt = input.type?.tensorType;
  if (tt?.elemType != null && tt.elemType !== 1) {
    throw new SpikeletError('unsupported', WHERE, `graph.input "${inputName}".elem_type`, 'FLOAT (1)', DTYPE_NAMES[tt.elemType] ?? tt.elemType);
  }
  const dims = (tt?.shape?.dim ?? []).map((d) => (d.dimValue != null && num(d.dimValue) > 0 ? num(d.dimValue) : -1));
  let shape: number[];
  if (options.inputShape) {
    shape = [...options.inputShape];
    if (shape.length === 0 || !shape.every((v) => Number.isInteger(v) && v > 0)) {
      throw new SpikeletError('invalid_param', WHERE, 'options.inputShape', 'positive integers (per sample, no batch)', options.inputShape);
    }
    if (dims.length > 1 && (dims.length - 1 !== shape.length || dims.slice(1).some((d, k) => d > 0 && d !== shape[k]))) {
      throw new SpikeletError('shape_mismatch', WHERE, 'options.inputShape', `a shape matching the file's [${dims.slice(1).join(', ')}]`, options.inputShape);
    }
  } else {
    shape = dims.slice(1);
    if (dims.length < 2 || shape.some((d) => d < 1)) {
      throw new SpikeletError('unsupported', WHERE, `graph.input "${inputName}".shape`, '[batch, ...] with every per-sample dimension fixed (or give options.inputShape)',
        `[${(tt?.shape?.dim ?? []).map((d) => d.dimParam || num(d.dimValue)).join(', ')}]`);
    }
  }
  const outputs = graph.output ?? [];
  if (outputs.length !== 1) throw new SpikeletError('unsupported', WHERE, 'graph.output', 'exactly one output', outputs.length);
  const outputName = outputs[0].name ?? '';

  const layers: Mutable<AnnLayer>[] = [];
  const removed: string[] = [];
  const produced = new Set<string>([inputName]); // activations seen so far
  let cur = inputName;
  const inShape = [...shape];

  graph.node.forEach((node, index) => {
    const op = node.opType ?? '';
    const label = `node "${node.name || `#${index}`}" (${op || '?'})`;
    const out = node.output?.[0] ?? '';
    if (node.domain && node.domain !== 'ai.onnx') {
      throw new SpikeletError('unsupported', WHERE, `${label}.domain`, 'the default ONNX domain', node.domain);
    }
    if (!ONNX_SUPPORTED_OPS.includes(op)) {
      throw new SpikeletError('unsupported', WHERE, `${label}.op_type`, `one of ${ONNX_SUPPORTED_OPS.join(', ')}`, op);
    }
    if (op === 'Constant') {
      consts.set(out, constantOf(node, label));
      return;
    }
    const ins = node.input ?? [];
    // Classify inputs: constants, the activation, or something this chain does not have.
    let actAt = -1;
    ins.forEach((name, k) => {
      if (name === '' || consts.has(name)) return;
      if (name === cur) {
        if (actAt >= 0) throw new SpikeletError('unsupported', WHERE, `${label}.input[${k}]`, 'the activation used once', name);
        actAt = k;
        return;
      }
      if (produced.has(name)) {
        throw new SpikeletError('unsupported', WHERE, `${label}.input[${k}]`, `a chain: the latest activation "${cur}" (branches and skip connections are not supported)`, name);
      }
      throw new SpikeletError('bad_file', WHERE, `${label}.input[${k}]`, 'an initializer, a Constant output or an earlier node\'s output', name);
    });
    if (actAt < 0) {
      if (op === 'Identity' && consts.has(ins[0])) { consts.set(out, consts.get(ins[0])!); return; }
      throw new SpikeletError('unsupported', WHERE, `${label}.input`, `the activation "${cur}" (operations on constants only: export with constant folding)`, ins.join(', '));
    }
    if (actAt !== 0 && op !== 'Add') {
      throw new SpikeletError('unsupported', WHERE, `${label}.input[0]`, `the activation "${cur}" as the first input`, ins[0]);
    }
    const cst = (k: number, field: string, required = true): Const | undefined => {
      const name = ins[k];
      if (!name) {
        if (required) throw new SpikeletError('bad_file', WHERE, `${label}.input[${k}]`, `the ${field} tensor`, 'nothing');
        return undefined;
      }
      return consts.get(name)!;
    };
    const floats = (c: Const, field: string): Float32Array => {
      if (!c.f) throw new SpikeletError('bad_file', WHERE, `${label}.${field}`, 'a float tensor', 'integers');
      return c.f;
    };
    const ints = (c: Const, field: string): number[] => {
      if (!c.i) throw new SpikeletError('bad_file', WHERE, `${label}.${field}`, 'an integer tensor', 'floats');
      return c.i;
    };
    const attrs = attributes(node, label);
    const base = { name: node.name || `#${index}`, output: out, inShape: [...shape] };
    const alias = () => {
      removed.push(`${base.name} (${op})`);
    };
    const push = (l: Mutable<AnnLayer>) => {
      layers.push(l);
      shape = [...l.outShape];
    };
    const lastLinear = (): Mutable<AnnDense> | Mutable<AnnConv> | undefined => {
      const l = layers[layers.length - 1];
      return l && (l.op === 'dense' || l.op === 'conv') && l.output === cur ? l : undefined;
    };

    switch (op) {
      case 'Identity':
      case 'Dropout':
        if (op === 'Dropout' && (node.output?.length ?? 0) > 1 && node.output![1]) {
          // The mask output must not be used: checked when a later node asks for it (not produced).
        }
        if (attrs.int('training_mode', 0) !== 0) throw new SpikeletError('unsupported', WHERE, `${label}.training_mode`, '0 (inference)', 1);
        alias();
        break;
      case 'Softmax':
      case 'LogSoftmax':
        if (out !== outputName) {
          throw new SpikeletError('unsupported', WHERE, `${label}.output[0]`, `a ${op} only as the last node (it is removed; the class is the argmax either way)`, out);
        }
        alias();
        break;
      case 'Relu':
        push({ op: 'relu', ...base, outShape: [...shape] });
        break;
      case 'Gemm':
      case 'MatMul': {
        if (shape.length !== 1) {
          throw new SpikeletError('shape_mismatch', WHERE, `${label}.input[0]`, 'a 2-D [batch, features] activation (add a Flatten before it)', `[batch, ${shape.join(', ')}]`);
        }
        const K = shape[0];
        const Bc = cst(1, 'B')!;
        const B = floats(Bc, 'B');
        if (Bc.dims.length !== 2) throw new SpikeletError('shape_mismatch', WHERE, `${label}.B.shape`, 'a 2-D weight', `[${Bc.dims.join(', ')}]`);
        const transA = op === 'Gemm' ? attrs.int('transA', 0) : 0;
        if (transA !== 0) throw new SpikeletError('unsupported', WHERE, `${label}.transA`, '0', transA);
        const transB = op === 'Gemm' ? attrs.int('transB', 0) : 0;
        const [N, K2] = transB ? [Bc.dims[0], Bc.dims[1]] : [Bc.dims[1], Bc.dims[0]];
        if (K2 !== K) {
          throw new SpikeletError('shape_mismatch', WHERE, `${label}.B.shape`, transB ? `[N, ${K}] (transB = 1; the input has ${K} features)` : `[${K}, N] (the input has ${K} features)`, `[${Bc.dims.join(', ')}]`);
        }
        const alpha = op === 'Gemm' ? attrs.float('alpha', 1) : 1;
        const beta = op === 'Gemm' ? attrs.float('beta', 1) : 1;
        const weight = new Float32Array(N * K);
        for (let n = 0; n < N; n++) for (let k = 0; k < K; k++) weight[n * K + k] = alpha * (transB ? B[n * K + k] : B[k * N + n]);
        const bias = new Float32Array(N);
        const Cc = op === 'Gemm' ? cst(2, 'C', false) : undefined;
        if (Cc) {
          const C = floats(Cc, 'C');
          const size = shapeSize(Cc.dims);
          const okDims = Cc.dims.length <= 1 || (Cc.dims.length === 2 && Cc.dims[0] === 1);
          if (!okDims || (size !== N && size !== 1)) {
            throw new SpikeletError('shape_mismatch', WHERE, `${label}.C.shape`, `[${N}], [1, ${N}] or a scalar`, `[${Cc.dims.join(', ')}]`);
          }
          for (let n = 0; n < N; n++) bias[n] = beta * C[size === 1 ? 0 : n];
        }
        push({ op: 'dense', ...base, outShape: [N], weight, bias, inFeatures: K, outFeatures: N });
        break;
      }
      case 'Add': {
        const l = lastLinear();
        const k = actAt === 0 ? 1 : 0;
        const c = cst(k, 'bias');
        if (!l || !c) {
          throw new SpikeletError('unsupported', WHERE, `${label}.input`, 'an Add of a constant bias right after a Gemm, MatMul or Conv', ins.join(', '));
        }
        const b = floats(c, `input[${k}]`);
        const size = shapeSize(c.dims);
        const channels = l.op === 'dense' ? l.outFeatures : l.outShape[0];
        const lead = c.dims.length > 0 ? c.dims.slice(0, c.dims.length - (l.op === 'conv' ? 2 : 0)) : [];
        const perChannel = size === channels && (l.op === 'dense'
          ? (c.dims.length === 1 || (c.dims.length === 2 && c.dims[0] === 1))
          : (c.dims.length >= 3 && c.dims.slice(-2).every((d) => d === 1) && lead.slice(0, -1).every((d) => d === 1)));
        if (size !== 1 && !perChannel) {
          const want = l.op === 'dense' ? `[${channels}] or [1, ${channels}]` : `[${channels}, 1, 1] or [1, ${channels}, 1, 1]`;
          throw new SpikeletError('shape_mismatch', WHERE, `${label}.input[${k}].shape`, `${want} (one bias per output) or a scalar`, `[${c.dims.join(', ')}]`);
        }
        const bias = Float32Array.from(l.bias);
        for (let o = 0; o < channels; o++) bias[o] = Math.fround(bias[o] + b[size === 1 ? 0 : o]);
        l.bias = bias;
        l.output = out;
        break;
      }
      case 'Conv': {
        if (shape.length !== 3) {
          throw new SpikeletError('unsupported', WHERE, `${label}.input[0]`, 'a 2-D convolution of a [batch, C, H, W] activation', `[batch, ${shape.join(', ')}]`);
        }
        const Wc = cst(1, 'W')!;
        const w = floats(Wc, 'W');
        const [C, H, Wd] = shape;
        const group = attrs.int('group', 1);
        if (Wc.dims.length !== 4) throw new SpikeletError('shape_mismatch', WHERE, `${label}.W.shape`, '[M, C/group, kh, kw]', `[${Wc.dims.join(', ')}]`);
        const [M, Cg, kh, kw] = Wc.dims;
        if (group < 1 || C % group !== 0 || M % group !== 0 || Cg * group !== C) {
          throw new SpikeletError('shape_mismatch', WHERE, `${label}.W.shape`, `[M, ${C / group}, kh, kw] with M divisible by group ${group} (the input has ${C} channels)`, `[${Wc.dims.join(', ')}]`);
        }
        const ks = attrs.ints('kernel_shape', [kh, kw]);
        if (ks.length !== 2 || ks[0] !== kh || ks[1] !== kw) {
          throw new SpikeletError('shape_mismatch', WHERE, `${label}.kernel_shape`, `[${kh}, ${kw}] (W's spatial dims)`, ks);
        }
        const stride = pairAttr(attrs.ints('strides', [1, 1]), label, 'strides', 1);
        const dilation = pairAttr(attrs.ints('dilations', [1, 1]), label, 'dilations', 1);
        const pads = padsAttr(attrs, label, [H, Wd], [kh, kw], stride, dilation);
        const outShape = [M, ...outHW(label, [H, Wd], [kh, kw], stride, pads, dilation)];
        let bias = new Float32Array(M);
        const Bc = cst(2, 'B', false);
        if (Bc) {
          if (shapeSize(Bc.dims) !== M) throw new SpikeletError('shape_mismatch', WHERE, `${label}.B.shape`, `[${M}]`, `[${Bc.dims.join(', ')}]`);
          bias = Float32Array.from(floats(Bc, 'B'));
        }
        push({ op: 'conv', ...base, outShape, weight: Float32Array.from(w), bias, kernel: [kh, kw], stride, pads, dilation, group });
        break;
      }
      case 'AveragePool':
      case 'MaxPool': {
        if (shape.length !== 3) throw new SpikeletError('unsupported', WHERE, `${label}.input[0]`, 'a [batch, C, H, W] activation (2-D pooling)', `[batch, ${shape.join(', ')}]`);
        const ks = attrs.ints('kernel_shape', []);
        const kernel = pairAttr(ks, label, 'kernel_shape', 1);
        const stride = pairAttr(attrs.ints('strides', [1, 1]), label, 'strides', 1);
        const dil = attrs.ints('dilations', [1, 1]);
        if (dil.some((d) => d !== 1)) throw new SpikeletError('unsupported', WHERE, `${label}.dilations`, '[1, 1]', dil);
        if (attrs.int('ceil_mode', 0) !== 0) throw new SpikeletError('unsupported', WHERE, `${label}.ceil_mode`, '0 (floor)', attrs.int('ceil_mode', 0));
        if (op === 'MaxPool' && node.output && node.output.length > 1 && node.output[1]) {
          throw new SpikeletError('unsupported', WHERE, `${label}.output[1]`, 'no Indices output', node.output[1]);
        }
        const pads = padsAttr(attrs, label, [shape[1], shape[2]], kernel, stride, [1, 1]);
        const outShape = [shape[0], ...outHW(label, [shape[1], shape[2]], kernel, stride, pads, [1, 1])];
        push({ op: op === 'AveragePool' ? 'avgpool' : 'maxpool', ...base, outShape, kernel, stride, pads,
          countIncludePad: op === 'AveragePool' && attrs.int('count_include_pad', 0) !== 0 });
        break;
      }
      case 'GlobalAveragePool':
        if (shape.length !== 3) throw new SpikeletError('unsupported', WHERE, `${label}.input[0]`, 'a [batch, C, H, W] activation', `[batch, ${shape.join(', ')}]`);
        push({ op: 'globalavgpool', ...base, outShape: [shape[0], 1, 1] });
        break;
      case 'Pad': {
        const mode = attrs.string('mode', 'constant');
        if (mode !== 'constant') throw new SpikeletError('unsupported', WHERE, `${label}.mode`, '"constant"', mode);
        const rank = shape.length + 1;
        const padsC = cst(1, 'pads', false);
        let p = padsC ? ints(padsC, 'pads') : attrs.ints('pads', []);
        const axesC = cst(3, 'axes', false);
        if (axesC) {
          const axes = ints(axesC, 'axes').map((a) => (a < 0 ? a + rank : a));
          const full = new Array<number>(2 * rank).fill(0);
          if (p.length !== 2 * axes.length) throw new SpikeletError('shape_mismatch', WHERE, `${label}.pads.shape`, `[${2 * axes.length}] (2 × axes)`, p.length);
          axes.forEach((a, k) => { full[a] = p[k]; full[a + rank] = p[k + axes.length]; });
          p = full;
        }
        if (p.length !== 2 * rank) throw new SpikeletError('shape_mismatch', WHERE, `${label}.pads.shape`, `[${2 * rank}] (2 × the input's rank ${rank})`, p.length);
        if (p.some((v) => v < 0)) throw new SpikeletError('unsupported', WHERE, `${label}.pads`, 'non-negative pads (no cropping)', p);
        const valueC = cst(2, 'constant_value', false);
        const value = valueC ? (valueC.f ? valueC.f[0] : valueC.i![0]) ?? 0 : attrs.float('value', 0);
        if (p.every((v) => v === 0)) {
          alias();
          break;
        }
        if (rank !== 4 || p[0] !== 0 || p[1] !== 0 || p[rank] !== 0 || p[rank + 1] !== 0) {
          throw new SpikeletError('unsupported', WHERE, `${label}.pads`, 'padding of H and W of a [batch, C, H, W] activation only', p);
        }
        const pads: [number, number, number, number] = [p[2], p[3], p[6], p[7]];
        push({ op: 'pad', ...base, outShape: [shape[0], shape[1] + pads[0] + pads[2], shape[2] + pads[1] + pads[3]], pads, value });
        break;
      }
      case 'Flatten': {
        const rank = shape.length + 1;
        let axis = attrs.int('axis', 1);
        if (axis < 0) axis += rank;
        if (axis !== 1) throw new SpikeletError('unsupported', WHERE, `${label}.axis`, '1 (keep the batch dimension)', attrs.int('axis', 1));
        push({ op: 'reshape', ...base, outShape: [shapeSize(shape)] });
        break;
      }
      case 'Reshape': {
        const target = ints(cst(1, 'shape')!, 'shape');
        const allowzero = attrs.int('allowzero', 0);
        const size = shapeSize(shape);
        const fail = () => new SpikeletError('shape_mismatch', WHERE, `${label}.shape`, `a shape that keeps the batch and ${size} elements per sample`, target);
        if (target.length < 1 || (allowzero && target.includes(0))) throw fail();
        // target[0] is the batch: 0 (copy), -1 (inferred), or a number standing for it.
        const rest = target.slice(1).map((d, k) => (d === 0 ? shape[k] ?? NaN : d));
        const known = rest.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
        const unknown = rest.filter((d) => d === -1).length;
        if (unknown > 1 || rest.some((d) => !(d === -1 || d > 0))) throw fail();
        if (unknown === 1) {
          if (target[0] === -1 || size % known !== 0) throw fail();
          rest[rest.indexOf(-1)] = size / known;
        } else if (known !== size) throw fail();
        push({ op: 'reshape', ...base, outShape: rest.length ? rest : [1] });
        break;
      }
      case 'BatchNormalization': {
        if (attrs.int('training_mode', 0) !== 0) throw new SpikeletError('unsupported', WHERE, `${label}.training_mode`, '0 (inference)', attrs.int('training_mode', 0));
        const l = lastLinear();
        if (!l) {
          throw new SpikeletError('unsupported', WHERE, `${label}.input[0]`, 'a BatchNormalization right after a Gemm, MatMul or Conv (it is folded into that layer)', cur);
        }
        const C = shape[0];
        const eps = attrs.float('epsilon', 1e-5);
        const p = ['scale', 'B', 'mean', 'var'].map((f, k) => {
          const c = cst(k + 1, f)!;
          const a = floats(c, f);
          if (a.length !== C) throw new SpikeletError('shape_mismatch', WHERE, `${label}.${f}.shape`, `[${C}] (one per channel)`, `[${c.dims.join(', ')}]`);
          return a;
        });
        const [gamma, beta, mean, variance] = p;
        const rows = l.op === 'dense' ? l.outFeatures : l.outShape[0];
        const per = l.weight.length / rows;
        const weight = Float32Array.from(l.weight);
        const bias = new Float32Array(rows);
        for (let o = 0; o < rows; o++) {
          const s = gamma[o] / Math.sqrt(variance[o] + eps);
          for (let k = 0; k < per; k++) weight[o * per + k] = l.weight[o * per + k] * s;
          bias[o] = (l.bias[o] - mean[o]) * s + beta[o];
        }
        l.weight = weight;
        l.bias = bias;
        l.output = out;
        removed.push(`${base.name} (BatchNormalization, folded into ${l.name})`);
        break;
      }
      default:
        throw new SpikeletError('unsupported', WHERE, `${label}.op_type`, `one of ${ONNX_SUPPORTED_OPS.join(', ')}`, op);
    }
    produced.add(cur);
    cur = out;
    produced.add(cur);
  });
  if (cur !== outputName) {
    throw new SpikeletError('bad_file', WHERE, 'graph.output', `the end of the node chain ("${cur}")`, outputName);
  }
  const layersOut = layers as AnnLayer[];
  return {
    inputName, outputName, inputShape: inShape, outputShape: [...shape], layers: layersOut, opset,
    producer: `${model.producerName ?? ''} ${model.producerVersion ?? ''}`.trim(), removed,
  };
}

/** A decoded TensorProto as a constant. */
function tensorOf(t: OnnxTensor, label: string): Const {
  if (t.dataLocation === 1) throw new SpikeletError('unsupported', WHERE, `${label}.data_location`, 'data stored in the file (not external)', 'EXTERNAL');
  const dims = (t.dims ?? []).map((d) => num(d));
  if (dims.some((d) => !Number.isInteger(d) || d < 0)) throw new SpikeletError('bad_file', WHERE, `${label}.dims`, 'non-negative integers', dims);
  const count = shapeSize(dims);
  const type = t.dataType ?? 0;
  const raw = t.rawData && t.rawData.length > 0 ? t.rawData : undefined;
  const size = ({ 1: 4, 11: 8, 7: 8, 6: 4, 3: 1, 2: 1, 9: 1 } as Record<number, number>)[type];
  if (size === undefined) {
    throw new SpikeletError('unsupported', WHERE, `${label}.data_type`, 'FLOAT, DOUBLE, INT64, INT32, INT8, UINT8 or BOOL', DTYPE_NAMES[type] ?? type);
  }
  if (raw) {
    if (raw.length !== count * size) {
      throw new SpikeletError('bad_file', WHERE, `${label}.raw_data.length`, `${count * size} bytes (dims [${dims.join(', ')}] of ${DTYPE_NAMES[type]})`, raw.length);
    }
    const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    if (type === 1 || type === 11) {
      const f = new Float32Array(count);
      for (let k = 0; k < count; k++) f[k] = type === 1 ? dv.getFloat32(4 * k, true) : dv.getFloat64(8 * k, true);
      return { dims, f };
    }
    const i = new Array<number>(count);
    for (let k = 0; k < count; k++) {
      i[k] = type === 7 ? Number(dv.getBigInt64(8 * k, true)) : type === 6 ? dv.getInt32(4 * k, true) : type === 3 ? dv.getInt8(k) : dv.getUint8(k);
    }
    return { dims, i };
  }
  const field = type === 1 ? 'float_data' : type === 11 ? 'double_data' : type === 7 ? 'int64_data' : 'int32_data';
  const src: ArrayLike<unknown> = (type === 1 ? t.floatData : type === 11 ? t.doubleData : type === 7 ? t.int64Data : t.int32Data) ?? [];
  if (src.length !== count) {
    throw new SpikeletError('bad_file', WHERE, `${label}.${field}.length`, `${count} (dims [${dims.join(', ')}]), or the data in raw_data`, src.length);
  }
  if (type === 1 || type === 11) return { dims, f: Float32Array.from(src as number[]) };
  return { dims, i: Array.from(src as Parameters<typeof num>[0][], (v) => num(v)) };
}

/** The tensor a Constant node defines. */
function constantOf(node: OnnxNode, label: string): Const {
  const a = (node.attribute ?? [])[0];
  if (!a) throw new SpikeletError('bad_file', WHERE, `${label}.value`, 'a value attribute', 'none');
  switch (a.name) {
    case 'value': return tensorOf(a.t ?? {}, `${label}.value`);
    case 'value_float': return { dims: [], f: Float32Array.of(a.f ?? 0) };
    case 'value_floats': return { dims: [a.floats?.length ?? 0], f: Float32Array.from(a.floats ?? []) };
    case 'value_int': return { dims: [], i: [num(a.i)] };
    case 'value_ints': return { dims: [a.ints?.length ?? 0], i: (a.ints ?? []).map((v) => num(v)) };
    default: throw new SpikeletError('unsupported', WHERE, `${label}.${a.name}`, 'value, value_float(s) or value_int(s)', a.name);
  }
}

/** Typed access to a node's attributes. */
function attributes(node: OnnxNode, label: string) {
  const by = new Map<string, OnnxAttribute>((node.attribute ?? []).map((a) => [a.name ?? '', a]));
  return {
    int: (name: string, dflt: number) => (by.has(name) ? num(by.get(name)!.i) : dflt),
    float: (name: string, dflt: number) => (by.has(name) ? by.get(name)!.f ?? dflt : dflt),
    ints: (name: string, dflt: number[]) => (by.has(name) ? (by.get(name)!.ints ?? []).map((v) => num(v)) : dflt),
    string: (name: string, dflt: string) => {
      const s = by.get(name)?.s;
      return s ? new TextDecoder().decode(s) : dflt;
    },
    label,
  };
}

function pairAttr(v: number[], label: string, field: string, min: number): [number, number] {
  if (v.length !== 2 || v.some((x) => !Number.isInteger(x) || x < min)) {
    throw new SpikeletError(v.length === 2 ? 'invalid_param' : 'unsupported', WHERE, `${label}.${field}`, `two integers >= ${min} (2-D)`, v);
  }
  return [v[0], v[1]];
}

/** Explicit `[top, left, bottom, right]` pads from `pads` or `auto_pad`. */
function padsAttr(attrs: ReturnType<typeof attributes>, label: string, hw: [number, number], k: readonly [number, number],
                  s: readonly [number, number], d: readonly [number, number]): [number, number, number, number] {
  const auto = attrs.string('auto_pad', 'NOTSET');
  if (auto === 'NOTSET') {
    const p = attrs.ints('pads', [0, 0, 0, 0]);
    if (p.length !== 4 || p.some((x) => !Number.isInteger(x) || x < 0)) {
      throw new SpikeletError('invalid_param', WHERE, `${label}.pads`, '[top, left, bottom, right] non-negative integers', p);
    }
    return [p[0], p[1], p[2], p[3]];
  }
  if (auto === 'VALID') return [0, 0, 0, 0];
  if (auto !== 'SAME_UPPER' && auto !== 'SAME_LOWER') {
    throw new SpikeletError('invalid_param', WHERE, `${label}.auto_pad`, 'NOTSET, VALID, SAME_UPPER or SAME_LOWER', auto);
  }
  const lo = [0, 0], hi = [0, 0];
  for (let a = 0; a < 2; a++) {
    const out = Math.ceil(hw[a] / s[a]);
    const total = Math.max(0, (out - 1) * s[a] + d[a] * (k[a] - 1) + 1 - hw[a]);
    lo[a] = auto === 'SAME_UPPER' ? Math.floor(total / 2) : Math.ceil(total / 2);
    hi[a] = total - lo[a];
  }
  return [lo[0], lo[1], hi[0], hi[1]];
}

function outHW(label: string, hw: [number, number], k: readonly [number, number], s: readonly [number, number],
               p: readonly [number, number, number, number], d: readonly [number, number]): [number, number] {
  const oh = Math.floor((hw[0] + p[0] + p[2] - d[0] * (k[0] - 1) - 1) / s[0]) + 1;
  const ow = Math.floor((hw[1] + p[1] + p[3] - d[1] * (k[1] - 1) - 1) / s[1]) + 1;
  if (oh < 1 || ow < 1) {
    throw new SpikeletError('shape_mismatch', WHERE, `${label}.kernel_shape`, `a window that fits the ${hw[0]}×${hw[1]} input (with pads [${p.join(', ')}])`, k);
  }
  return [oh, ow];
}
