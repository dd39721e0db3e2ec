// The wasm BPTT kernels against the f64 TypeScript reference (every cell, spike order, reset,
// surrogate) and against PyTorch autograd's reference gradients in f32 (≤ 1e-4 of each tensor's
// largest entry); readout gradients against central finite differences.
import { beforeAll, describe, expect, it } from 'vitest';
import { Runtime } from '../src/runtime/runtime.js';
import { resolveModel, initParams, type TrainModelSpec, type TrainLayerParams, type TrainCell } from '../src/train/model.js';
import { TrainEngine } from '../src/train/engine.js';
import { referenceBptt } from '../src/train/reference.js';
import { checkLoss, computeLoss, type LossSpec } from '../src/train/losses.js';
import { seededRandom } from '../src/util/random.js';
import type { SurrogateSpec } from '../src/train/surrogates.js';
import { loadFixture, relErr, FIXTURES, flatten, fixturesPresent, fixtureParams64, gradientErrors } from './train-helpers.js';

let rt: Runtime;
beforeAll(async () => { rt = await Runtime.create(); });

function runEngine(spec: TrainModelSpec, params: TrainLayerParams[], x: ArrayLike<number>, labels: ArrayLike<number>,
                   T: number, B: number, lossSpec: LossSpec) {
  const model = resolveModel(spec);
  const mark = rt.mark();
  try {
    const eng = new TrainEngine(rt, model, B, T);
    eng.setParams(params);
    eng.loadTimeMajor(x);
    eng.forward();
    const L = model.layers.length;
    const loss = checkLoss(lossSpec, model.layers[L - 1].spiking);
    const lr = computeLoss(loss, eng.accumulated(L - 1), labels, B, model.layers[L - 1].n, eng.stride(L - 1), T);
    eng.setOutputGrad(lr.dAcc);
    eng.backward();
    return { loss: lr.loss, grads: eng.getGrads(), model, lossSpec: loss };
  } finally {
    rt.release(mark);
  }
}

describe.skipIf(!fixturesPresent())('wasm kernels vs PyTorch autograd (f32)', () => {
  for (const name of FIXTURES) {
    it(`${name}: loss ≤ 1e-6 relative, gradients ≤ 1e-4 of max`, () => {
      const f = loadFixture(name);
      const r = runEngine(f.model, f.params, f.x, f.labels, f.T, f.B, { type: 'ce_mean' });
      expect(Math.abs(r.loss - f.raw.forward.loss) / f.raw.forward.loss).toBeLessThan(1e-6);
      const errs = gradientErrors(r.grads, f.raw.grads);
      console.log(`wasm ${name}: max|Δg|/max|g| ${Object.entries(errs).map(([k, v]) => `${k} ${v.toExponential(1)}`).join(', ')}`);
      for (const v of Object.values(errs)) expect(v).toBeLessThan(1e-4);
    });
  }
});

function randomCase(seed: number, cells: TrainCell[], opts: { order: 'spikelet' | 'snntorch' | 'spyx'; reset: 'subtract' | 'zero';
  keepResetGrad: boolean; surrogate: SurrogateSpec; learn: boolean; recurrent: boolean; binary: boolean }) {
  const T = 7, B = 3, I = 5;
  const spec: TrainModelSpec = {
    inputSize: I, order: opts.order, surrogate: opts.surrogate,
    layers: [
      ...cells.map((cell, i) => ({ size: 6 + i * 13, cell, recurrent: opts.recurrent && cell !== 'if', reset: opts.reset,
        keepResetGrad: opts.keepResetGrad, learnBeta: opts.learn && cell !== 'if', learnThreshold: opts.learn,
        init: { gain: 2.5, bias: 0.1 }, beta: cell === 'if' ? undefined : 0.85, adaptation: { kappa: 0.3, rho: 0.9 } })),
      { size: 4, cell: 'li' as const, beta: 0.8 },
    ],
  };
  const model = resolveModel(spec);
  const params = initParams(model, seed);
  const rand = seededRandom(seed + 99);
  const x = new Float64Array(T * B * I).map(() => (opts.binary ? (rand() < 0.4 ? 1 : 0) : (rand() < 0.5 ? rand() * 2 : 0)));
  const xf = Float32Array.from(x);
  const labels = [0, 2, 3];
  return { spec, model, params, x: Float64Array.from(xf), labels, T, B };
}

describe('wasm kernels vs the f64 TypeScript reference', () => {
  const cases: [string, TrainCell[], Parameters<typeof randomCase>[2]][] = [];
  const sgs: SurrogateSpec[] = ['arctan', 'superspike', 'sigmoid', 'tanh', { name: 'triangle', width: 1.5 }, { name: 'boxcar', width: 1 },
    'straight_through', { name: 'custom', fn: (z: number) => 1 / (1 + 4 * z * z), range: [-3, 3], points: 257 }];
  let i = 0;
  for (const order of ['spikelet', 'snntorch', 'spyx'] as const) {
    for (const reset of ['subtract', 'zero'] as const) {
      for (const keepResetGrad of [false, true]) {
        const sg = sgs[i % sgs.length];
        const cells: TrainCell[] = [(['lif', 'cubalif', 'alif', 'if'] as TrainCell[])[i % 4], (['alif', 'lif', 'if', 'cubalif'] as TrainCell[])[i % 4]];
        cases.push([`${order}/${reset}/${keepResetGrad ? 'keep' : 'detach'}/${typeof sg === 'string' ? sg : sg.name}/${cells.join('+')}`, cells,
          { order, reset, keepResetGrad, surrogate: sg, learn: i % 2 === 0, recurrent: i % 3 !== 2, binary: i % 2 === 1 }]);
        i++;
      }
    }
  }
  for (const [name, cells, opts] of cases) {
    it(`${name}: gradients within 1e-5 relative`, () => {
      const c = randomCase(17 + name.length, cells, opts);
      const params64 = c.params;
      const ref = referenceBptt(c.model, params64, c.x, c.labels, c.T, c.B, checkLoss({}, false));
      const r = runEngine(c.spec, c.params, c.x, c.labels, c.T, c.B, {});
      expect(Math.abs(r.loss - ref.loss) / Math.abs(ref.loss)).toBeLessThan(1e-5);
      let worst = 0;
      c.model.layers.forEach((l, li) => {
        const g = r.grads[li], gr = ref.grads[li];
        const pairs: [ArrayLike<number>, ArrayLike<number>][] = [[g.weight, gr.weight], [g.bias, gr.bias]];
        if (l.recurrent) pairs.push([g.recurrent!, gr.recurrent!]);
        if (l.learnBeta) pairs.push([g.beta, gr.beta]);
        if (l.learnThreshold) pairs.push([g.threshold, gr.threshold]);
        for (const [a, b] of pairs) worst = Math.max(worst, relErr(a, b));
      });
      expect(worst).toBeLessThan(1e-5);
    });
  }
});

describe('readout gradients vs central finite differences', () => {
  it('W_out and b_out: the loss is smooth in them, so the gradient is the true derivative', () => {
    const c = randomCase(5, ['lif'], { order: 'spikelet', reset: 'subtract', keepResetGrad: false, surrogate: 'arctan', learn: false, recurrent: true, binary: true });
    const loss = checkLoss({}, false);
    const p64 = c.params.map((p) => ({ ...p, weight: Float64Array.from(p.weight), bias: Float64Array.from(p.bias) }));
    const ref = referenceBptt(c.model, p64 as never, c.x, c.labels, c.T, c.B, loss);
    const r = runEngine(c.spec, c.params, c.x, c.labels, c.T, c.B, {});
    const h = 1e-5;
    let worst = 0;
    for (const name of ['weight', 'bias'] as const) {
      const a = p64[1][name];
      for (let k = 0; k < a.length; k++) {
        const keep = a[k];
        a[k] = keep + h; const lp = referenceBptt(c.model, p64 as never, c.x, c.labels, c.T, c.B, loss).loss;
        a[k] = keep - h; const lm = referenceBptt(c.model, p64 as never, c.x, c.labels, c.T, c.B, loss).loss;
        a[k] = keep;
        const fd = (lp - lm) / (2 * h);
        expect(Math.abs(ref.grads[1][name][k] - fd)).toBeLessThan(1e-8 + 1e-6 * Math.abs(fd));
        worst = Math.max(worst, Math.abs(r.grads[1][name][k] - fd) / Math.max(1e-3, Math.abs(fd)));
      }
    }
    expect(worst).toBeLessThan(1e-4); // f32 wasm against the f64 finite differences
  });
});

/** Forward + loss + backward (with a regulariser gradient on the first layer); every float out. */
function runBits(eng: TrainEngine, model: ReturnType<typeof resolveModel>, labels: ArrayLike<number>, load: () => void, regGrad: Float32Array) {
  load();
  const st = eng.forward();
  const L = model.layers.length;
  const lr = computeLoss(checkLoss({}, false), eng.accumulated(L - 1), labels, eng.batch, model.layers[L - 1].n, eng.stride(L - 1), eng.T);
  eng.setOutputGrad(lr.dAcc);
  eng.setRegGrad(0, regGrad);
  eng.backward(true);
  const acc = model.layers.map((_, li) => eng.accumulated(li));
  const grads = eng.getGrads().flatMap((g) => [g.weight, g.bias, g.recurrent, g.beta, g.threshold, g.betaSyn].filter((a) => a !== undefined) as Float32Array[]);
  return { spikes: st.spikes, loss: lr.loss, arrays: [...acc, ...grads] };
}

function expectSameBits(a: ReturnType<typeof runBits>, b: ReturnType<typeof runBits>, what: string) {
  expect(a.spikes, `${what}: spikes`).toEqual(b.spikes);
  expect(Object.is(a.loss, b.loss), `${what}: loss ${a.loss} vs ${b.loss}`).toBe(true);
  expect(a.arrays.length).toBe(b.arrays.length);
  a.arrays.forEach((x, k) => {
    const y = b.arrays[k];
    for (let i = 0; i < x.length; i++) {
      if (!Object.is(x[i], y[i])) expect.fail(`${what}: array ${k} differs at element ${i} / ${x.length}: ${x[i]} vs ${y[i]}`);
    }
  });
}

describe('SIMD cell kernels vs the scalar kernels (same operation order: bit-exact)', () => {
  const sgs: SurrogateSpec[] = ['arctan', { name: 'superspike', k: 10 }, { name: 'triangle', width: 1.5, height: 0.7 }, { name: 'boxcar', width: 1, height: 0.8 },
    { name: 'straight_through', scale: 0.6 } as SurrogateSpec];
  let i = 0;
  for (const order of ['spikelet', 'snntorch', 'spyx'] as const) {
    for (const reset of ['subtract', 'zero'] as const) {
      for (const keepResetGrad of [false, true]) {
        const sg = sgs[i % sgs.length];
        const cells: TrainCell[] = [(['lif', 'cubalif', 'if'] as TrainCell[])[i % 3], (['if', 'lif', 'cubalif'] as TrainCell[])[i % 3]];
        const name = `${order}/${reset}/${keepResetGrad ? 'keep' : 'detach'}/${typeof sg === 'string' ? sg : sg.name}/${cells.join('+')}`;
        const seed = 101 + i;
        i++;
        it(`${name}: tape, loss and gradients identical`, () => {
          const T = 9, B = 5, I = 13;
          const spec: TrainModelSpec = {
            inputSize: I, order, surrogate: sg,
            layers: [
              ...cells.map((cell, li) => ({ size: 19 - li * 6, cell, recurrent: li === 0, reset, keepResetGrad, learnBeta: cell !== 'if',
                learnThreshold: true, init: { gain: 3, bias: 0.2 }, beta: cell === 'if' ? undefined : 0.85, betaSyn: 0.6 })),
              { size: 7, cell: 'li' as const, beta: 0.8 },
            ],
          };
          const model = resolveModel(spec);
          const params = initParams(model, seed);
          const rand = seededRandom(seed);
          const x = Float32Array.from({ length: T * B * I }, () => (rand() < 0.5 ? rand() * 2 : 0));
          const labels = Array.from({ length: B }, () => Math.floor(rand() * 7));
          const reg = Float32Array.from({ length: model.layers[0].n }, () => rand() - 0.5);
          const mark = rt.mark();
          try {
            const eng = new TrainEngine(rt, model, B, T);
            expect(model.layers.map((_, li) => eng.layerMemory(li).simd)).toEqual([true, true, true]);
            eng.setParams(params);
            const simd = runBits(eng, model, labels, () => eng.loadTimeMajor(x), reg);
            eng.simdCells = false;
            const scalar = runBits(eng, model, labels, () => eng.loadTimeMajor(x), reg);
            expect(simd.spikes[0]).toBeGreaterThan(0);
            expectSameBits(simd, scalar, name);
          } finally {
            rt.release(mark);
          }
        });
      }
    }
  }

  it('ALIF and the sigmoid, tanh and tabulated surrogates stay on the scalar kernels', () => {
    const model = resolveModel({ inputSize: 3, surrogate: 'sigmoid', layers: [{ size: 4, cell: 'alif' }, { size: 4, cell: 'lif', surrogate: 'tanh' },
      { size: 4, cell: 'lif', surrogate: { name: 'custom', fn: (z: number) => Math.exp(-z * z) } }, { size: 4, cell: 'lif', surrogate: 'arctan' }, { size: 2, cell: 'li' }] });
    const mark = rt.mark();
    try {
      const eng = new TrainEngine(rt, model, 2, 3);
      expect(model.layers.map((_, li) => eng.layerMemory(li).simd)).toEqual([false, false, false, true, true]);
    } finally {
      rt.release(mark);
    }
  });
});

describe('binary input loaded as event lists (loadBatch with xBinary)', () => {
  for (const source of ['Float32Array', 'Uint8Array'] as const) {
    it(`${source}: same lists, loss and gradients as the dense time-major copy (partial batch, inputs not a multiple of 16)`, () => {
      const T = 6, B = 5, I = 37, N = 9;
      const model = resolveModel({ inputSize: I, order: 'snntorch', surrogate: 'arctan',
        layers: [{ size: 21, cell: 'lif', recurrent: true, init: { gain: 4 } }, { size: 3, cell: 'li' }] });
      const rand = seededRandom(7);
      const data = new Float32Array(N * T * I).map(() => (rand() < 0.2 ? 1 : 0));
      const x = source === 'Uint8Array' ? Uint8Array.from(data) : data;
      const indices = [4, 0, 8, 3]; // 4 of 5 rows: the last row is empty
      const tm = new Float32Array(T * B * I); // the same batch, time-major
      indices.forEach((n, b) => { for (let t = 0; t < T; t++) for (let i = 0; i < I; i++) tm[(t * B + b) * I + i] = data[(n * T + t) * I + i]; });
      const labels = [0, 1, 2, 1, 0];
      const reg = new Float32Array(21);
      const mark = rt.mark();
      try {
        const eng = new TrainEngine(rt, model, B, T);
        eng.setParams(initParams(model, 3));
        eng.xBinary = true;
        const dense = runBits(eng, model, labels, () => eng.loadTimeMajor(tm), reg);
        const events = runBits(eng, model, labels, () => eng.loadBatch(x, indices), reg);
        expect(dense.spikes[0]).toBeGreaterThan(0);
        expectSameBits(events, dense, source);
      } finally {
        rt.release(mark);
      }
    });
  }
});
