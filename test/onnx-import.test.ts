// ONNX import and the float ANN runner: the PyTorch digits fixtures (logits within 1e-4, exact
// accuracy), synthetic graphs covering every supported operator (against a naive reference
// written here), and malformed files (typed errors naming node and field).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import onnxProto from 'onnx-proto';
import {
  AnnRunner, accuracyOf, parseLabeledCsv, readOnnx, Runtime, SpikeletError, sliceRows, ONNX_SUPPORTED_OPS, type AnnModel,
} from '../src/index.js';

const { onnx } = onnxProto as unknown as { onnx: any };
const FIX = fileURLToPath(new URL('./fixtures/', import.meta.url));
const ref = JSON.parse(readFileSync(`${FIX}digits_reference.json`, 'utf8'));
const rt = Runtime.createSync();

// --- building ONNX files in the test -------------------------------------------------------
type Attr = number | number[] | string | { floats: number[] };
const attr = (name: string, v: Attr) => {
  if (typeof v === 'string') return { name, type: 3, s: new TextEncoder().encode(v) };
  if (Array.isArray(v)) return { name, type: 7, ints: v };
  if (typeof v === 'object') return { name, type: 6, floats: v.floats };
  return Number.isInteger(v) ? { name, type: 2, i: v } : { name, type: 1, f: v };
};
const node = (opType: string, input: string[], output: string[], attrs: Record<string, Attr> = {}, name = output[0]) =>
  ({ opType, input, output, name, attribute: Object.entries(attrs).map(([k, v]) => attr(k, v)) });
/** A float initializer, stored in raw_data or float_data. */
const init = (name: string, dims: number[], data: ArrayLike<number>, raw = true) => {
  const f = Float32Array.from(data);
  return raw ? { name, dims, dataType: 1, rawData: new Uint8Array(f.buffer) } : { name, dims, dataType: 1, floatData: Array.from(f) };
};
const ints64 = (name: string, data: number[]) => ({ name, dims: [data.length], dataType: 7, int64Data: data });
const vi = (name: string, dims: (number | string)[]) => ({
  name, type: { tensorType: { elemType: 1, shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) } } },
});
function model(nodes: unknown[], inits: unknown[], inDims: (number | string)[], out: string, opset = 13): Uint8Array {
  return onnx.ModelProto.encode({
    irVersion: 7, opsetImport: [{ domain: '', version: opset }], producerName: 'test',
    graph: { node: nodes, initializer: inits, input: [vi('x', inDims)], output: [vi(out, ['batch'])], name: 'g' },
  }).finish();
}
function rand(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  });
}
async function fails(bytes: Uint8Array): Promise<SpikeletError> {
  try {
    await readOnnx(bytes);
  } catch (e) {
    expect(e).toBeInstanceOf(SpikeletError);
    return e as SpikeletError;
  }
  throw new Error('readOnnx accepted a bad file');
}

// --- a naive reference of the layers, in f64 -------------------------------------------------
function naive(m: AnnModel, x: Float32Array): Float64Array {
  let a = Float64Array.from(x);
  for (const l of m.layers) {
    const [C, H, W] = l.inShape, o = l.outShape;
    const y = new Float64Array(o.reduce((p, q) => p * q, 1));
    switch (l.op) {
      case 'dense':
        for (let n = 0; n < l.outFeatures; n++) {
          let s = l.bias[n];
          for (let k = 0; k < l.inFeatures; k++) s += l.weight[n * l.inFeatures + k] * a[k];
          y[n] = s;
        }
        break;
      case 'conv': {
        const Cg = C / l.group, Mg = o[0] / l.group;
        for (let m2 = 0; m2 < o[0]; m2++) for (let oy = 0; oy < o[1]; oy++) for (let ox = 0; ox < o[2]; ox++) {
          let s = l.bias[m2];
          const g = Math.floor(m2 / Mg);
          for (let c = 0; c < Cg; c++) for (let ky = 0; ky < l.kernel[0]; ky++) for (let kx = 0; kx < l.kernel[1]; kx++) {
            const iy = oy * l.stride[0] - l.pads[0] + ky * l.dilation[0], ix = ox * l.stride[1] - l.pads[1] + kx * l.dilation[1];
            if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
            s += l.weight[((m2 * Cg + c) * l.kernel[0] + ky) * l.kernel[1] + kx] * a[((g * Cg + c) * H + iy) * W + ix];
          }
          y[(m2 * o[1] + oy) * o[2] + ox] = s;
        }
        break;
      }
      case 'relu': a.forEach((v, k) => (y[k] = Math.max(0, v))); break;
      case 'reshape': y.set(a); break;
      case 'pad':
        y.fill(l.value);
        for (let c = 0; c < C; c++) for (let h = 0; h < H; h++) for (let w = 0; w < W; w++) y[(c * o[1] + h + l.pads[0]) * o[2] + w + l.pads[1]] = a[(c * H + h) * W + w];
        break;
      case 'globalavgpool':
        for (let c = 0; c < C; c++) { let s = 0; for (let k = 0; k < H * W; k++) s += a[c * H * W + k]; y[c] = s / (H * W); }
        break;
      case 'avgpool':
      case 'maxpool':
        for (let c = 0; c < C; c++) for (let oy = 0; oy < o[1]; oy++) for (let ox = 0; ox < o[2]; ox++) {
          const vals: number[] = [];
          for (let ky = 0; ky < l.kernel[0]; ky++) for (let kx = 0; kx < l.kernel[1]; kx++) {
            const iy = oy * l.stride[0] - l.pads[0] + ky, ix = ox * l.stride[1] - l.pads[1] + kx;
            if (iy >= 0 && iy < H && ix >= 0 && ix < W) vals.push(a[(c * H + iy) * W + ix]);
          }
          y[(c * o[1] + oy) * o[2] + ox] = l.op === 'maxpool' ? Math.max(...vals)
            : vals.reduce((p, q) => p + q, 0) / (l.countIncludePad ? l.kernel[0] * l.kernel[1] : vals.length);
        }
        break;
    }
    a = y;
  }
  return a;
}

describe('readOnnx + AnnRunner on the PyTorch digits fixtures', () => {
  const data = parseLabeledCsv(readFileSync(`${FIX}digits.csv`, 'utf8'), { inputScale: 1 / 16 });
  const test = sliceRows(data, 1437);
  for (const name of ['digits_mlp', 'digits_cnn', 'digits_mlp_bn']) {
    it(`${name}: logits within 1e-4 of PyTorch's and the same test accuracy`, async () => {
      const ann = await readOnnx(readFileSync(`${FIX}${name}.onnx`));
      const r = ref.models[name];
      expect(ann.opset).toBe(13);
      const logits = new AnnRunner(ann, { runtime: rt }).run(test.x);
      let err = 0;
      r.test_logits_first8.forEach((row: number[], i: number) => row.forEach((v, k) => { err = Math.max(err, Math.abs(v - logits[i * 10 + k])); }));
      expect(err).toBeLessThan(1e-4);
      const acc = accuracyOf(logits, test.labels, 10);
      expect(Math.round(acc * 360)).toBe(r.test_correct);
    });
  }
  it('folds BatchNormalization and drops the zero Pads', async () => {
    const bn = await readOnnx(readFileSync(`${FIX}digits_mlp_bn.onnx`));
    expect(bn.layers.map((l) => l.op)).toEqual(['dense', 'relu', 'dense']);
    expect(bn.removed[0]).toMatch(/BatchNormalization, folded into \/0\/Gemm/);
    const cnn = await readOnnx(readFileSync(`${FIX}digits_cnn.onnx`));
    expect(cnn.inputShape).toEqual([1, 8, 8]);
    expect(cnn.layers.map((l) => l.op)).toEqual(['conv', 'relu', 'avgpool', 'conv', 'relu', 'avgpool', 'reshape', 'dense']);
    expect(cnn.removed).toEqual(['/2/Pad (Pad)', '/5/Pad (Pad)']);
  });
});

describe('readOnnx: every supported operator (synthetic graphs vs a naive reference)', () => {
  it('Conv (stride, pads, dilation, group), BN, Pad, pools, Flatten, MatMul+Add, Gemm (transB=0, alpha, beta), Dropout, Identity, Softmax', async () => {
    const C = 4, M = 6;
    const w1 = rand(M * 2 * 3 * 3, 1), b1 = rand(M, 2);
    const bytes = model([
      node('Conv', ['x', 'w1', 'b1'], ['c1'], { group: 2, strides: [1, 1], pads: [1, 2, 1, 0], dilations: [1, 2], kernel_shape: [3, 3] }),
      node('BatchNormalization', ['c1', 'g', 'be', 'mu', 'var'], ['bn'], { epsilon: 1e-3 }),
      node('Relu', ['bn'], ['r1']),
      node('Constant', [], ['padsC'], {}, 'padsConst'),
      node('Pad', ['r1', 'padsC'], ['p1'], { mode: 'constant' }),
      node('AveragePool', ['p1'], ['a1'], { kernel_shape: [2, 2], strides: [2, 2], pads: [1, 1, 1, 1], count_include_pad: 0 }),
      node('MaxPool', ['a1'], ['m1'], { kernel_shape: [2, 2], strides: [1, 1] }),
      node('Conv', ['m1', 'w2'], ['c2'], { auto_pad: 'SAME_UPPER' }),
      node('Add', ['c2', 'b2'], ['c2b']),
      node('Relu', ['c2b'], ['r2']),
      node('GlobalAveragePool', ['r2'], ['gp']),
      node('Flatten', ['gp'], ['f'], { axis: 1 }),
      node('Dropout', ['f'], ['d']),
      node('MatMul', ['d', 'w3'], ['mm']),
      node('Add', ['b3', 'mm'], ['mmb']),
      node('Identity', ['mmb'], ['id']),
      node('Relu', ['id'], ['r3']),
      node('Reshape', ['r3', 'shape'], ['rs']),
      node('Gemm', ['rs', 'w4', 'b4'], ['logits0'], { alpha: 0.5, beta: 2, transB: 0 }),
      node('Softmax', ['logits0'], ['probs'], { axis: 1 }),
    ].map((n) => (n.opType === 'Constant' ? { ...n, attribute: [{ name: 'value', type: 4, t: ints64('', [0, 0, 1, 0, 0, 0, 0, 1]) }] } : n)), [
      init('w1', [M, 2, 3, 3], w1), init('b1', [M], b1, false),
      init('g', [M], rand(M, 3).map((v) => 1 + v / 2)), init('be', [M], rand(M, 4)), init('mu', [M], rand(M, 5)),
      init('var', [M], rand(M, 6).map((v) => 1 + v / 2), false),
      init('w2', [5, M, 3, 3], rand(5 * M * 9, 7)), init('b2', [1, 5, 1, 1], rand(5, 8)),
      init('w3', [5, 7], rand(35, 9), false), init('b3', [7], rand(7, 10)),
      ints64('shape', [0, -1]), init('w4', [7, 3], rand(21, 11)), init('b4', [3], rand(3, 12)),
    ], ['batch', C, 7, 6], 'probs', 17);
    const m = await readOnnx(bytes);
    expect(m.layers.map((l) => l.op)).toEqual(['conv', 'relu', 'pad', 'avgpool', 'maxpool', 'conv', 'relu', 'globalavgpool', 'reshape',
      'dense', 'relu', 'reshape', 'dense']);
    expect(m.removed.join(';')).toMatch(/BatchNormalization.*Dropout.*Identity.*Softmax/);
    const x = rand(3 * C * 7 * 6, 13);
    const y = new AnnRunner(m, { runtime: rt, batchSize: 2 }).run(x);
    expect(y.length).toBe(9);
    for (let s = 0; s < 3; s++) {
      const want = naive(m, x.subarray(s * C * 42, (s + 1) * C * 42));
      for (let k = 0; k < 3; k++) expect(Math.abs(y[s * 3 + k] - want[k])).toBeLessThan(1e-4 * (1 + Math.abs(want[k])));
    }
    // (BatchNormalization folding itself is checked against PyTorch by digits_mlp_bn above.)
  });

  it('accepts opsets 11 to 20 and rejects the others', async () => {
    const mk = (v: number) => model([node('Gemm', ['x', 'w', 'b'], ['y'], { transB: 1 })], [init('w', [2, 3], rand(6, 1)), init('b', [2], [0, 0])], ['batch', 3], 'y', v);
    for (const v of [11, 15, 20]) expect((await readOnnx(mk(v))).opset).toBe(v);
    for (const v of [9, 21]) {
      const e = await fails(mk(v));
      expect(e.code).toBe('unsupported');
      expect(e.field).toBe('model.opset_import.version');
    }
  });
});

describe('readOnnx: malformed and unsupported files', () => {
  const good = () => model([node('Gemm', ['x', 'w', 'b'], ['h'], { transB: 1 }, 'fc1'), node('Relu', ['h'], ['y'], {}, 'act')],
    [init('w', [4, 3], rand(12, 1)), init('b', [4], rand(4, 2))], ['batch', 3], 'y');

  it('a truncated file is bad_file', async () => {
    const b = good();
    const e = await fails(b.subarray(0, Math.floor(b.length * 0.6)));
    expect(e.code).toBe('bad_file');
    expect(e.field).toBe('file');
  });
  it('a missing initializer names the node and its input', async () => {
    const e = await fails(model([node('Gemm', ['x', 'w', 'b'], ['y'], { transB: 1 }, 'fc1')], [init('w', [4, 3], rand(12, 1))], ['batch', 3], 'y'));
    expect(e.code).toBe('bad_file');
    expect(e.field).toBe('node "fc1" (Gemm).input[2]');
    expect(e.message).toMatch(/"b"/);
  });
  it('an unknown op names the op, the node and the supported list', async () => {
    const e = await fails(model([node('Gemm', ['x', 'w', 'b'], ['h'], { transB: 1 }, 'fc1'), node('Sigmoid', ['h'], ['y'], {}, 'sig')],
      [init('w', [4, 3], rand(12, 1)), init('b', [4], rand(4, 2))], ['batch', 3], 'y'));
    expect(e.code).toBe('unsupported');
    expect(e.field).toBe('node "sig" (Sigmoid).op_type');
    expect(e.received).toBe('Sigmoid');
    for (const op of ONNX_SUPPORTED_OPS) expect(e.expected).toContain(op);
  });
  it('weights of the wrong shape name the node and the field', async () => {
    const e = await fails(model([node('Gemm', ['x', 'w', 'b'], ['y'], { transB: 1 }, 'fc1')], [init('w', [4, 5], rand(20, 1)), init('b', [4], rand(4, 2))], ['batch', 3], 'y'));
    expect(e.code).toBe('shape_mismatch');
    expect(e.field).toBe('node "fc1" (Gemm).B.shape');
    const e2 = await fails(model([node('Conv', ['x', 'w'], ['y'], {}, 'conv')], [init('w', [2, 3, 3, 3], rand(54, 1))], ['batch', 2, 5, 5], 'y'));
    expect(e2.code).toBe('shape_mismatch');
    expect(e2.field).toBe('node "conv" (Conv).W.shape');
    const e3 = await fails(model([node('Gemm', ['x', 'w', 'b'], ['h'], { transB: 1 }, 'fc1'), node('BatchNormalization', ['h', 's', 'b2', 'm', 'v'], ['y'], {}, 'bn')],
      [init('w', [4, 3], rand(12, 1)), init('b', [4], rand(4, 2)), init('s', [3], [1, 1, 1]), init('b2', [4], rand(4, 3)), init('m', [4], rand(4, 4)), init('v', [4], [1, 1, 1, 1])],
      ['batch', 3], 'y'));
    expect(e3.field).toBe('node "bn" (BatchNormalization).scale.shape');
    // raw_data of the wrong length
    const e4 = await fails(model([node('Gemm', ['x', 'w'], ['y'], { transB: 1 }, 'fc1')],
      [{ name: 'w', dims: [4, 3], dataType: 1, rawData: new Uint8Array(40) }], ['batch', 3], 'y'));
    expect(e4.code).toBe('bad_file');
    expect(e4.field).toBe('initializer "w".raw_data.length');
  });
  it('branches and a non-final Softmax are unsupported, naming the node', async () => {
    const e = await fails(model([node('Relu', ['x'], ['a'], {}, 'r1'), node('Relu', ['a'], ['b'], {}, 'r2'), node('Add', ['a', 'b'], ['y'], {}, 'skip')], [], ['batch', 3], 'y'));
    expect(e.code).toBe('unsupported');
    expect(e.field).toMatch(/^node "skip" \(Add\)\.input\[0\]/);
    const e2 = await fails(model([node('Softmax', ['x'], ['s'], {}, 'sm'), node('Relu', ['s'], ['y'], {}, 'r')], [], ['batch', 3], 'y'));
    expect(e2.field).toBe('node "sm" (Softmax).output[0]');
  });
});
