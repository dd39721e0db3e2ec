// The wasm side of training: lays out parameters, gradients, the tape and the event lists in
// the Runtime's memory once, then runs forward-with-tape and backward-through-time for a batch
// with one kernel call per layer per step and kind (a few thousand calls per batch, ~4 ns each).
// The input's event lists are built once per batch when it is loaded (binary input straight from
// the source samples, without a dense time-major copy); spiking layers on the SIMD cell kernels
// write their spike lists in the same pass that computes the spikes.
// The host never touches a parameter in JavaScript during training: the optimizer (optim.ts)
// updates the flat parameter vector in wasm, segment by segment.
//
// Layouts (docs/training.md §Memory): per layer n neurons padded to nP = ⌈n/16⌉·16;
//   weight wT [inN, nP] presynaptic-major (row i: input i → every neuron), recurrent wrT [n, nP]
//   (row k: neuron k at t−1 → every neuron at t), bias/beta/threshold/betaSyn [nP];
//   backward copies wR [n, inStride] and wrR [n, nP], row-major [to, from], refreshed after
//   each parameter change (syncWeights); tape [T, batch, nP] f32 (spikes s, thresholded value
//   vf, carried membrane cp, ALIF b), spike lists [T, batch, nP] i32 + counts [T, batch].
import { SpikeletError } from '../errors.js';
import type { Runtime } from '../runtime/runtime.js';
import type { ResolvedModel, TrainLayerParams } from './model.js';

/** Pads to a multiple of 16 (one v128 of spike bytes; 4 f32 vectors). */
export const pad16 = (n: number): number => (n + 15) & ~15;

/** One contiguous run of parameters in the flat vector. */
export interface ParamSegment {
  readonly layer: number;
  readonly name: 'weight' | 'bias' | 'recurrent' | 'beta' | 'threshold' | 'betaSyn';
  /** Offset in f32 elements from the start of the flat vector. */
  readonly offset: number;
  /** Elements (a multiple of 4). */
  readonly size: number;
  readonly trainable: boolean;
  /** Weight decay applies (weights only). */
  readonly decay: boolean;
  /** Clamp after each update (β ∈ [0, 1], θ ≥ 1e-3). */
  readonly clamp?: readonly [number, number];
}

interface LayerMem {
  n: number; nP: number; inN: number; inStride: number;
  wT: number; bias: number; wrT: number; beta: number; theta: number; betaSyn: number;
  gwT: number; gbias: number; gwrT: number; gbeta: number; gtheta: number;
  wR: number; wrR: number; cfg: number; lut: number; simd: boolean; spiking: boolean;
  c: number; isyn: number; bad: number; cur: number;
  s: number; vf: number; cp: number; bT: number; sIdx: number; sCnt: number; acc: number;
  G: number; Gi: number; Gb: number; gcurA: number; gcurB: number; gS: number; gReg: number;
}

const CELL = { lif: 0, if: 1, cubalif: 2, alif: 3, li: 4 } as const;
const ORDER = { spikelet: 0, snntorch: 1, spyx: 2 } as const;

type K = (...a: number[]) => number;

/** Forward outputs of a batch. */
export interface ForwardStats {
  /** Spikes per layer in this batch (all samples, all steps). */
  readonly spikes: number[];
}

/**
 * Wasm training engine for one model, batch size and sequence length.
 * @example
 * ```ts
 * const eng = new TrainEngine(await Runtime.create(), resolveModel(spec), 32, 16);
 * eng.setParams(initParams(model, 0));
 * eng.loadBatch(x, [0, 1, 2], 3); eng.forward(); // then loss → eng.setOutputGrad → eng.backward()
 * ```
 */
export class TrainEngine {
  readonly rt: Runtime;
  readonly model: ResolvedModel;
  readonly batch: number;
  readonly T: number;
  readonly segments: ParamSegment[] = [];
  /** Flat parameter / gradient vectors (addresses) and their length in f32. */
  readonly params: number;
  readonly grads: number;
  readonly size: number;
  /** Input values are all 0/1 (skip the multiply in the input products; loadBatch then builds
   *  the input event lists straight from the source without a dense time-major copy). */
  xBinary = false;
  /** Use the SIMD cell kernels where they apply (tr_cell_simd_ok); false forces the scalar
   *  kernels everywhere (tests compare the two). */
  simdCells = true;
  private readonly L: LayerMem[] = [];
  private readonly x: number;
  private readonly xIdx: number;
  private readonly xCnt: number;
  private readonly zeros: number;
  private readonly gExt: number;
  private readonly inStride0: number;
  private readonly k: Record<string, K>;
  private readonly layerSpikes: number[];
  private readonly zeroFrom: number;
  private readonly zeroTo: number;
  /** How the loaded input is held: 'dense' (time-major x plus its event lists) or 'events'
   *  (binary input: event lists only; x holds the staging copy). */
  private loaded: 'none' | 'dense' | 'events' = 'none';

  constructor(rt: Runtime, model: ResolvedModel, batch: number, T: number) {
    if (!Number.isInteger(batch) || batch < 1) throw new SpikeletError('invalid_param', 'TrainEngine', 'batch', 'an integer >= 1', batch);
    if (!Number.isInteger(T) || T < 1) throw new SpikeletError('invalid_param', 'TrainEngine', 'T', 'an integer >= 1', T);
    this.rt = rt; this.model = model; this.batch = batch; this.T = T;
    const all = rt.kernels as unknown as Record<string, K>;
    const k: Record<string, K> = {}; // own table of the kernels used (benchmarks wrap its entries to time them)
    for (const name of ['tr_compact_rows_f32', 'tr_events_u8', 'tr_events_f32', 'tr_syn_fwd_f32', 'tr_cell_fwd_f32', 'tr_cell_bwd_f32',
      'tr_cell_fwd_f32_simd', 'tr_cell_bwd_f32_simd', 'tr_cell_simd_ok', 'tr_back_f32', 'tr_wgrad_f32', 'tr_transpose_f32']) {
      if (typeof all[name] !== 'function') throw new SpikeletError('unsupported', 'TrainEngine', 'wasm', `a kernel module exporting ${name}`, 'missing');
      k[name] = all[name];
    }
    this.k = k;
    // ---- parameter segments ----
    let off = 0;
    const seg = (layer: number, name: ParamSegment['name'], size: number, trainable: boolean, decay: boolean, clamp?: [number, number]) => {
      const s: ParamSegment = { layer, name, offset: off, size, trainable, decay, clamp };
      this.segments.push(s);
      off += size;
      return s;
    };
    const segs: Record<string, ParamSegment>[] = [];
    let inN = model.inputSize;
    for (const l of model.layers) {
      const nP = pad16(l.n);
      const r: Record<string, ParamSegment> = {};
      r.weight = seg(l.index, 'weight', inN * nP, true, true);
      r.bias = seg(l.index, 'bias', nP, l.bias, false);
      if (l.recurrent) r.recurrent = seg(l.index, 'recurrent', l.n * nP, true, true);
      r.beta = seg(l.index, 'beta', nP, l.learnBeta, false, [0, 1]);
      r.threshold = seg(l.index, 'threshold', nP, l.learnThreshold, false, [1e-3, Infinity]);
      r.betaSyn = seg(l.index, 'betaSyn', nP, false, false);
      segs.push(r);
      inN = l.n;
    }
    this.size = off;
    this.params = rt.alloc(off * 4);
    this.grads = rt.alloc(off * 4);
    // ---- tape, states, buffers ----
    const B = batch;
    const f = (n: number) => rt.alloc(n * 4);
    this.inStride0 = pad16(model.inputSize);
    this.x = f(T * B * this.inStride0);
    this.xIdx = f(T * B * this.inStride0);
    this.xCnt = f(T * B);
    let inStride = this.inStride0;
    let maxNP = 16;
    for (const l of model.layers) {
      const nP = pad16(l.n);
      maxNP = Math.max(maxNP, nP);
      const r = segs[l.index];
      const P = (s: ParamSegment | undefined) => (s ? this.params + s.offset * 4 : 0);
      const Gp = (s: ParamSegment | undefined) => (s && s.trainable ? this.grads + s.offset * 4 : 0);
      const cfg = rt.alloc(64);
      const sg = l.surrogate;
      const lut = sg.table ? rt.put(sg.table) : 0;
      const m: LayerMem = {
        n: l.n, nP, inN: l.inN, inStride,
        wT: P(r.weight), bias: P(r.bias), wrT: P(r.recurrent), beta: P(r.beta), theta: P(r.threshold), betaSyn: P(r.betaSyn),
        gwT: Gp(r.weight), gbias: Gp(r.bias), gwrT: Gp(r.recurrent), gbeta: Gp(r.beta), gtheta: Gp(r.threshold),
        wR: l.index > 0 ? f(l.n * inStride) : 0, wrR: l.recurrent ? f(l.n * nP) : 0, cfg, lut, simd: false, spiking: l.spiking,
        c: 0, isyn: 0, bad: 0, cur: 0, s: 0, vf: 0, cp: 0, bT: 0, sIdx: 0, sCnt: 0, acc: 0,
        G: 0, Gi: 0, Gb: 0, gcurA: 0, gcurB: 0, gS: 0, gReg: 0,
      };
      const v = rt.view();
      const w = cfg >> 2;
      v.i32[w] = CELL[l.cell]; v.i32[w + 1] = ORDER[l.order]; v.i32[w + 2] = l.reset === 'subtract' ? 0 : 1;
      v.i32[w + 3] = l.keepResetGrad ? 1 : 0; v.i32[w + 4] = sg.kind; v.f32[w + 5] = sg.p1; v.f32[w + 6] = sg.p2;
      v.f32[w + 7] = l.kappa; v.f32[w + 8] = l.rho; v.i32[w + 9] = lut; v.i32[w + 10] = sg.table?.length ?? 0;
      v.f32[w + 11] = sg.lo; v.f32[w + 12] = sg.hi;
      m.simd = k.tr_cell_simd_ok(cfg) !== 0;
      this.L.push(m);
      inStride = nP;
    }
    this.zeroFrom = rt.mark();
    for (const m of this.L) {
      const bn = B * m.nP;
      m.c = f(bn); m.isyn = f(bn); m.bad = f(bn); m.acc = f(bn);
    }
    this.zeroTo = rt.mark();
    for (const m of this.L) {
      const l = model.layers[this.L.indexOf(m)];
      const bn = B * m.nP;
      m.cur = f(bn);
      m.G = f(bn); m.Gi = f(bn); m.Gb = f(bn); m.gcurA = f(bn); m.gcurB = f(bn); m.gS = f(bn); m.gReg = f(m.nP);
      m.s = f(T * bn); m.vf = f(T * bn); m.cp = f(T * bn);
      m.bT = l.cell === 'alif' ? f(T * bn) : 0;
      m.sIdx = f(T * bn); m.sCnt = f(T * B);
    }
    this.zeros = f(B * maxNP);
    this.gExt = f(B * maxNP);
    this.layerSpikes = model.layers.map(() => 0);
  }

  /** The memory of layer `l` (tests, benchmarks). */
  layerMemory(l: number): Readonly<LayerMem> {
    return this.L[l];
  }

  /** Writes parameters (API layout) into the flat vector and refreshes the backward copies. */
  setParams(params: readonly TrainLayerParams[]): void {
    const v = this.rt.view().f32;
    this.model.layers.forEach((l, li) => {
      const m = this.L[li], p = params[li];
      for (let j = 0; j < l.n; j++) {
        for (let i = 0; i < l.inN; i++) v[(m.wT >> 2) + i * m.nP + j] = p.weight[j * l.inN + i];
        v[(m.bias >> 2) + j] = p.bias[j];
        v[(m.beta >> 2) + j] = p.beta[j];
        v[(m.theta >> 2) + j] = p.threshold[j];
        v[(m.betaSyn >> 2) + j] = p.betaSyn ? p.betaSyn[j] : 0;
        if (l.recurrent) for (let kk = 0; kk < l.n; kk++) v[(m.wrT >> 2) + kk * m.nP + j] = p.recurrent![j * l.n + kk];
      }
    });
    this.syncWeights();
  }

  /** Reads the parameters back in the API layout. */
  getParams(): TrainLayerParams[] {
    return this.read(false) as TrainLayerParams[];
  }

  /** The last backward pass's gradients in the API layout (f32; untrainable tensors read 0). */
  getGrads(): TrainLayerParams[] {
    return this.read(true) as TrainLayerParams[];
  }

  private read(grads: boolean): TrainLayerParams[] {
    const v = this.rt.view().f32;
    const base = grads ? this.grads - this.params : 0;
    return this.model.layers.map((l, li) => {
      const m = this.L[li];
      const at = (ptr: number) => (ptr + base) >> 2;
      const weight = new Float32Array(l.n * l.inN), bias = new Float32Array(l.n), beta = new Float32Array(l.n), threshold = new Float32Array(l.n);
      const recurrent = l.recurrent ? new Float32Array(l.n * l.n) : undefined;
      const betaSyn = l.cell === 'cubalif' ? new Float32Array(l.n) : undefined;
      for (let j = 0; j < l.n; j++) {
        for (let i = 0; i < l.inN; i++) weight[j * l.inN + i] = v[at(m.wT) + i * m.nP + j];
        bias[j] = v[at(m.bias) + j]; beta[j] = v[at(m.beta) + j]; threshold[j] = v[at(m.theta) + j];
        if (betaSyn) betaSyn[j] = v[at(m.betaSyn) + j];
        if (recurrent) for (let kk = 0; kk < l.n; kk++) recurrent[j * l.n + kk] = v[at(m.wrT) + kk * m.nP + j];
      }
      return { weight, bias, recurrent, beta, threshold, betaSyn };
    });
  }

  /** Copy of the flat parameter vector (checkpoints). */
  getFlat(): Float32Array {
    return this.rt.view().f32.slice(this.params >> 2, (this.params >> 2) + this.size);
  }

  /** Restores the flat parameter vector and refreshes the backward copies. */
  setFlat(p: Float32Array): void {
    if (p.length !== this.size) throw new SpikeletError('shape_mismatch', 'TrainEngine.setFlat', 'params.length', `${this.size}`, p.length);
    this.rt.view().f32.set(p, this.params >> 2);
    this.syncWeights();
  }

  /** Refreshes the row-major copies used by the backward product (after any parameter change). */
  syncWeights(): void {
    const tr = this.k.tr_transpose_f32;
    this.L.forEach((m, li) => {
      if (li > 0) tr(m.wT, m.inN, m.n, m.nP, m.wR, m.inStride);
      if (m.wrT) tr(m.wrT, m.n, m.n, m.nP, m.wrR, m.nP);
    });
  }

  /**
   * Copies a batch into the input tape: sample `indices[b]` of `x` ([N, T, inputSize],
   * sample-major) becomes column b of `[T, batch, ·]`; rows past `indices.length` are empty.
   * With `xBinary` the samples are copied as they are (one block each; a Uint8Array moves a
   * quarter of the bytes of a Float32Array) and one kernel call turns them into the time-major
   * event lists; otherwise the values are laid out densely `[T, batch, inStride]` and listed.
   */
  loadBatch(x: Float32Array | Uint8Array, indices: ArrayLike<number>): void {
    const v = this.rt.view();
    const I = this.model.inputSize, T = this.T, S = this.inStride0, B = this.batch;
    if (indices.length > B) throw new SpikeletError('shape_mismatch', 'TrainEngine.loadBatch', 'indices.length', `<= ${B}`, indices.length);
    const TI = T * I;
    if (this.xBinary) {
      // One sample at a time through a staging block at the start of x (T·I values, L2-sized for
      // SHD shapes; the kernels read ≤ 64 bytes past it), so the list kernel reads it from cache.
      const bytes = x instanceof Uint8Array;
      const ev = bytes ? this.k.tr_events_u8 : this.k.tr_events_f32;
      for (let b = 0; b < B; b++) {
        if (b >= indices.length) {
          for (let t = 0; t < T; t++) v.i32[(this.xCnt >> 2) + t * B + b] = 0;
          continue;
        }
        const src = x.subarray(indices[b] * TI, (indices[b] + 1) * TI);
        if (bytes) v.u8.set(src, this.x); else v.f32.set(src, this.x >> 2);
        ev(this.x, I, T, b, B, this.xIdx, this.xCnt, S);
      }
      this.loaded = 'events';
      return;
    }
    const f = v.f32;
    const base = this.x >> 2;
    if (indices.length < B) f.fill(0, base, base + T * B * S);
    for (let b = 0; b < indices.length; b++) {
      const src = indices[b] * TI;
      for (let t = 0; t < T; t++) {
        const o = base + (t * B + b) * S;
        f.set(x.subarray(src + t * I, src + (t + 1) * I), o);
      }
    }
    this.listDense();
  }

  /** Writes an input already laid out `[T, batch, inputSize]` (time-major). */
  loadTimeMajor(x: ArrayLike<number>): void {
    const v = this.rt.view().f32;
    const I = this.model.inputSize, S = this.inStride0;
    for (let r = 0; r < this.T * this.batch; r++) {
      for (let i = 0; i < I; i++) v[(this.x >> 2) + r * S + i] = x[r * I + i];
    }
    this.listDense();
  }

  /** Event lists of the dense time-major input, all steps in one call. */
  private listDense(): void {
    const n0 = (this.model.inputSize + 3) & ~3;
    this.k.tr_compact_rows_f32(this.x, n0, this.inStride0, this.T * this.batch, this.xIdx, this.xCnt);
    this.loaded = 'dense';
  }

  /** Forward pass over the loaded batch, writing the tape. Returns spikes per layer. */
  forward(): ForwardStats {
    const { T, batch: B } = this;
    const k = this.k;
    const u8 = this.rt.view().u8;
    u8.fill(0, this.zeroFrom, this.zeroTo); // states and accumulators (the tape is overwritten)
    const spikes = this.layerSpikes.fill(0);
    if (this.loaded === 'none') throw new SpikeletError('state', 'TrainEngine.forward', 'input', 'a batch loaded (loadBatch or loadTimeMajor)', 'none');
    const bin0 = this.inputBinary();
    for (let t = 0; t < T; t++) {
      const xt = this.x + t * B * this.inStride0 * 4;
      const it = this.xIdx + t * B * this.inStride0 * 4;
      const ct = this.xCnt + t * B * 4;
      for (let li = 0; li < this.L.length; li++) {
        const m = this.L[li];
        const bn4 = B * m.nP * 4;
        let xin: number, idx: number, cnt: number, bin: number;
        if (li === 0) { xin = xt; idx = it; cnt = ct; bin = bin0; } else {
          const p = this.L[li - 1];
          xin = p.s + t * B * p.nP * 4; idx = p.sIdx + t * B * p.nP * 4; cnt = p.sCnt + t * B * 4; bin = 1;
        }
        const rec = m.wrT !== 0 && t > 0;
        k.tr_syn_fwd_f32(m.cur, m.bias, m.wT, xin, idx, cnt, m.inStride,
          rec ? m.wrT : 0, rec ? m.sIdx + (t - 1) * bn4 : 0, rec ? m.sCnt + (t - 1) * B * 4 : 0, m.nP, B, bin);
        const sPrev = t > 0 ? m.s + (t - 1) * bn4 : this.zeros;
        if (m.simd && this.simdCells) {
          // spike lists written by the cell kernel itself
          spikes[li] += k.tr_cell_fwd_f32_simd(m.cfg, m.cur, m.c, m.isyn, sPrev, m.s + t * bn4, m.vf + t * bn4, m.cp + t * bn4,
            m.acc, m.spiking ? m.sIdx + t * bn4 : 0, m.sCnt + t * B * 4, m.beta, m.betaSyn, m.theta, m.nP, B);
        } else {
          spikes[li] += k.tr_cell_fwd_f32(m.cfg, m.cur, m.c, m.isyn, m.bad, sPrev, m.s + t * bn4, m.vf + t * bn4, m.cp + t * bn4,
            m.bT ? m.bT + t * bn4 : 0, m.acc, m.beta, m.betaSyn, m.theta, m.nP, B);
          if (m.spiking) k.tr_compact_rows_f32(m.s + t * bn4, m.nP, m.nP, B, m.sIdx + t * bn4, m.sCnt + t * B * 4);
        }
      }
    }
    return { spikes: spikes.slice() };
  }

  /** 1 if the input products skip the multiply: binary input (loaded as events or declared). */
  private inputBinary(): number {
    return this.loaded === 'events' || this.xBinary ? 1 : 0;
  }

  /** Σ_t of layer `l` (membrane for LI, spikes otherwise) as [batch, nP] (a fresh copy). */
  accumulated(l: number): Float32Array {
    const m = this.L[l];
    return this.rt.view().f32.slice(m.acc >> 2, (m.acc >> 2) + this.batch * m.nP);
  }

  /** Row stride (padded neurons) of layer `l`. */
  stride(l: number): number {
    return this.L[l].nP;
  }

  /** Sets ∂L/∂acc of the output layer ([batch, nP] rows; f64 or f32 source). */
  setOutputGrad(dAcc: ArrayLike<number>): void {
    const m = this.L[this.L.length - 1];
    const v = this.rt.view().f32;
    const n = this.batch * m.nP;
    const m0 = Math.min(n, dAcc.length);
    for (let i = 0; i < m0; i++) v[(this.gExt >> 2) + i] = dAcc[i];
    v.fill(0, (this.gExt >> 2) + m0, (this.gExt >> 2) + n);
  }

  /** Sets the per-neuron regulariser gradient of hidden layer `l` (length n; undefined clears it). */
  setRegGrad(l: number, g: ArrayLike<number> | undefined): void {
    const m = this.L[l];
    const v = this.rt.view().f32;
    v.fill(0, m.gReg >> 2, (m.gReg >> 2) + m.nP);
    if (g) for (let j = 0; j < m.n; j++) v[(m.gReg >> 2) + j] = g[j];
  }

  /** Backward pass through time over the tape of the last forward; gradients overwrite `grads`. */
  backward(useReg = false): void {
    const { T, batch: B } = this;
    const k = this.k;
    const v = this.rt.view();
    v.u8.fill(0, this.grads, this.grads + this.size * 4);
    const L = this.L.length;
    const now: number[] = [], prev: number[] = [];
    for (const m of this.L) {
      const bn4 = B * m.nP * 4;
      v.u8.fill(0, m.G, m.G + bn4); v.u8.fill(0, m.Gi, m.Gi + bn4); v.u8.fill(0, m.Gb, m.Gb + bn4);
      v.u8.fill(0, m.gcurA, m.gcurA + bn4); v.u8.fill(0, m.gcurB, m.gcurB + bn4);
      now.push(m.gcurA); prev.push(m.gcurB);
    }
    for (let t = T - 1; t >= 0; t--) {
      for (let li = L - 1; li >= 0; li--) {
        const m = this.L[li];
        const bn4 = B * m.nP * 4;
        const above = li < L - 1;
        const rec = m.wrT !== 0 && t < T - 1;
        let gS = 0;
        if (above || rec) {
          const up = this.L[li + 1];
          if (above && rec) k.tr_back_f32(m.gS, now[li + 1], up.wR, up.n, up.nP, prev[li], m.wrR, m.n, m.nP, m.nP, B);
          else if (above) k.tr_back_f32(m.gS, now[li + 1], up.wR, up.n, up.nP, 0, 0, 0, 0, m.nP, B);
          else k.tr_back_f32(m.gS, prev[li], m.wrR, m.n, m.nP, 0, 0, 0, 0, m.nP, B);
          gS = m.gS;
        }
        const sPrev = t > 0 ? m.s + (t - 1) * bn4 : this.zeros;
        const gExt = li === L - 1 ? this.gExt : 0, gReg = useReg && li < L - 1 ? m.gReg : 0;
        if (m.simd && this.simdCells) {
          k.tr_cell_bwd_f32_simd(m.cfg, gS, gExt, gReg, m.G, m.Gi, m.vf + t * bn4, m.cp + t * bn4, m.s + t * bn4, sPrev, now[li],
            m.gbias, m.gbeta, m.gtheta, m.beta, m.betaSyn, m.theta, m.nP, B);
        } else {
          k.tr_cell_bwd_f32(m.cfg, gS, gExt, gReg, m.G, m.Gi, m.Gb,
            m.vf + t * bn4, m.cp + t * bn4, m.s + t * bn4, sPrev, m.bT ? m.bT + t * bn4 : 0, now[li],
            m.gbias, m.gbeta, m.gtheta, m.beta, m.betaSyn, m.theta, m.nP, B);
        }
        if (li === 0) {
          const o = t * B * this.inStride0 * 4;
          k.tr_wgrad_f32(m.gwT, now[li], this.x + o, this.xIdx + o, this.xCnt + t * B * 4, this.inStride0, m.nP, B, this.inputBinary());
        } else {
          const p = this.L[li - 1];
          const o = t * B * p.nP * 4;
          k.tr_wgrad_f32(m.gwT, now[li], p.s + o, p.sIdx + o, p.sCnt + t * B * 4, p.nP, m.nP, B, 1);
        }
        if (m.wrT !== 0 && t > 0) {
          k.tr_wgrad_f32(m.gwrT, now[li], m.s + (t - 1) * bn4, m.sIdx + (t - 1) * bn4, m.sCnt + (t - 1) * B * 4, m.nP, m.nP, B, 1);
        }
      }
      for (let li = 0; li < L; li++) { const a = now[li]; now[li] = prev[li]; prev[li] = a; }
    }
  }
}
