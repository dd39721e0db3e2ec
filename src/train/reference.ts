// Scalar float64 reference of surrogate-gradient BPTT: the same equations as the wasm kernels
// (assembly/train/cell_f32.ts, synapse_f32.ts), written as plainly as possible. It checks the
// kernels (tests: ≤ 1e-5 relative) and reproduces PyTorch autograd's reference gradients
// (../shared/fixtures/training, ≤ 1e-6 relative). Far too slow for training; tiny nets only.
import type { ResolvedModel, TrainLayerParams } from './model.js';
import { computeLoss, rateRegularizer, type LossSpec, type RateRegularizer } from './losses.js';
import { surrogateDerivative } from './surrogates.js';

/** Gradients of one layer (same shapes as {@link TrainLayerParams}, float64). */
export interface LayerGrads {
  readonly weight: Float64Array;
  readonly bias: Float64Array;
  readonly recurrent?: Float64Array;
  readonly beta: Float64Array;
  readonly threshold: Float64Array;
}

/** Result of {@link referenceBptt}. */
export interface ReferenceResult {
  readonly loss: number;
  /** Σ_t of the output layer, [B, O]. */
  readonly acc: Float64Array;
  readonly correct: number;
  readonly grads: LayerGrads[];
  /** Per layer, [T, B, n]: spikes, the thresholded value vf, and the carried membrane c[t−1]. */
  readonly spikes: Float64Array[];
  readonly vf: Float64Array[];
}

const ORDER = { spikelet: 0, snntorch: 1, spyx: 2 } as const;

/**
 * Forward and backward through time in float64 for one batch.
 * @param model A resolved model.
 * @param params Its parameters (API layout).
 * @param x Input `[T, B, inputSize]` time-major.
 * @param labels Class per sample `[B]`.
 * @param T Steps.
 * @param B Samples.
 * @param loss Loss spec (checked).
 * @param regularizer Optional rate regulariser on the hidden spiking layers.
 */
export function referenceBptt(model: ResolvedModel, params: readonly TrainLayerParams[], x: ArrayLike<number>,
                              labels: ArrayLike<number>, T: number, B: number, loss: Required<LossSpec>,
                              regularizer?: RateRegularizer): ReferenceResult {
  const L = model.layers.length;
  const spikes: Float64Array[] = [], vfT: Float64Array[] = [], cpT: Float64Array[] = [], bT: Float64Array[] = [];
  const acc: Float64Array[] = [];
  // ---- forward ----
  for (const l of model.layers) {
    const sz = T * B * l.n;
    spikes.push(new Float64Array(sz)); vfT.push(new Float64Array(sz)); cpT.push(new Float64Array(sz)); bT.push(new Float64Array(sz));
    acc.push(new Float64Array(B * l.n));
  }
  const state = model.layers.map((l) => ({ c: new Float64Array(B * l.n), i: new Float64Array(B * l.n), b: new Float64Array(B * l.n) }));
  for (let t = 0; t < T; t++) {
    for (let li = 0; li < L; li++) {
      const l = model.layers[li], p = params[li], n = l.n, inN = l.inN, st = state[li];
      const o = ORDER[l.order];
      for (let b = 0; b < B; b++) {
        for (let j = 0; j < n; j++) {
          let I = p.bias[j];
          for (let i = 0; i < inN; i++) {
            const xi = li === 0 ? x[(t * B + b) * inN + i] : spikes[li - 1][(t * B + b) * inN + i];
            I += p.weight[j * inN + i] * xi;
          }
          const sp = t > 0 ? spikes[li][((t - 1) * B + b) * n + j] : 0;
          if (l.recurrent && t > 0) {
            for (let k = 0; k < n; k++) I += p.recurrent![j * n + k] * spikes[li][((t - 1) * B + b) * n + k];
          }
          const k = b * n + j, q = (t * B + b) * n + j;
          if (l.cell === 'cubalif') { st.i[k] = p.betaSyn![j] * st.i[k] + I; I = st.i[k]; }
          const bt = p.beta[j], cOld = st.c[k];
          cpT[li][q] = cOld;
          if (l.cell === 'li') {
            const a = bt * cOld + I;
            st.c[k] = a; vfT[li][q] = a; acc[li][k] += a;
            continue;
          }
          let thPrev = p.threshold[j], thNow = p.threshold[j];
          if (l.cell === 'alif') {
            thPrev += l.kappa * st.b[k];
            st.b[k] = l.rho * st.b[k] + sp;
            bT[li][q] = st.b[k];
            thNow += l.kappa * st.b[k];
          }
          const sub = l.reset === 'subtract';
          let a: number, s: number, cNew: number;
          if (o === 0) {
            a = bt * cOld + I; s = a - thNow > 0 ? 1 : 0; cNew = sub ? a - thNow * s : a * (1 - s); vfT[li][q] = a;
          } else if (o === 1) {
            a = sub ? bt * cOld + I - thPrev * sp : bt * cOld * (1 - sp) + I; s = a - thNow > 0 ? 1 : 0; cNew = a; vfT[li][q] = a;
          } else {
            s = cOld - thNow > 0 ? 1 : 0; a = sub ? bt * cOld + I - thNow * s : bt * cOld * (1 - s) + I; cNew = a; vfT[li][q] = cOld;
          }
          st.c[k] = cNew; spikes[li][q] = s; acc[li][k] += s;
        }
      }
    }
  }
  // ---- loss ----
  const out = model.layers[L - 1];
  const lr = computeLoss(loss, acc[L - 1], labels, B, out.n, out.n, T);
  let total = lr.loss;
  const gReg: (Float64Array | undefined)[] = model.layers.map(() => undefined);
  if (regularizer) {
    for (let li = 0; li < L - 1; li++) {
      const l = model.layers[li];
      if (!l.spiking) continue;
      const counts = new Float64Array(l.n);
      for (let b = 0; b < B; b++) for (let j = 0; j < l.n; j++) counts[j] += acc[li][b * l.n + j];
      const r = rateRegularizer(regularizer, counts, l.n, T, B);
      total += r.loss;
      gReg[li] = r.grad;
    }
  }
  // ---- backward ----
  const grads: LayerGrads[] = model.layers.map((l) => ({
    weight: new Float64Array(l.n * l.inN), bias: new Float64Array(l.n), recurrent: l.recurrent ? new Float64Array(l.n * l.n) : undefined,
    beta: new Float64Array(l.n), threshold: new Float64Array(l.n),
  }));
  const G = model.layers.map((l) => new Float64Array(B * l.n));
  const Gi = model.layers.map((l) => new Float64Array(B * l.n));
  const Gb = model.layers.map((l) => new Float64Array(B * l.n));
  let gcurNext: Float64Array[] = model.layers.map((l) => new Float64Array(B * l.n)); // gcur at t+1
  for (let t = T - 1; t >= 0; t--) {
    const gcurNow: Float64Array[] = model.layers.map((l) => new Float64Array(B * l.n));
    for (let li = L - 1; li >= 0; li--) {
      const l = model.layers[li], p = params[li], n = l.n, o = ORDER[l.order], sub = l.reset === 'subtract';
      const kr = l.keepResetGrad ? 1 : 0;
      for (let b = 0; b < B; b++) {
        for (let j = 0; j < n; j++) {
          const k = b * n + j, q = (t * B + b) * n + j;
          // ∂L/∂s[t] from the layer above (at t) and from the recurrent synapse (into t+1)
          let gs = 0;
          if (li < L - 1) {
            const up = model.layers[li + 1];
            for (let m = 0; m < up.n; m++) gs += gcurNow[li + 1][b * up.n + m] * params[li + 1].weight[m * up.inN + j];
          }
          if (l.recurrent && t < T - 1) {
            for (let m = 0; m < n; m++) gs += gcurNext[li][b * n + m] * p.recurrent![m * n + j];
          }
          if (li === L - 1) gs += lr.dAcc[k];
          const bt = p.beta[j], Gn = G[li][k], cOld = cpT[li][q];
          let ga: number, gBt = 0, gTh = 0;
          if (l.cell === 'li') {
            ga = bt * Gn + gs; G[li][k] = ga; gBt = ga * cOld;
          } else {
            if (gReg[li]) gs += gReg[li]![j];
            const st = spikes[li][q], v = vfT[li][q];
            let th = p.threshold[j], GbOld = 0;
            if (l.cell === 'alif') { GbOld = Gb[li][k]; gs += GbOld; th += l.kappa * bT[li][q]; }
            const sg = surrogateDerivative(l.surrogate, v - th);
            let gz: number, thReset = 0;
            if (o === 0) {
              const gc = bt * Gn;
              let dcda = 1;
              if (sub) { gs -= kr * gc * th; thReset = -kr * gc * st; } else { gs -= kr * gc * v; dcda = 1 - st; }
              gz = gs * sg; ga = gc * dcda + gz; gBt = ga * cOld; G[li][k] = ga;
            } else if (o === 1) {
              let gc: number;
              if (sub) { gc = bt * Gn; gs -= kr * Gn * th; thReset = -kr * Gn * st; } else { gc = bt * (1 - st) * Gn; gs -= kr * Gn * bt * v; }
              gz = gs * sg; ga = gc + gz;
              const sp = t > 0 ? spikes[li][((t - 1) * B + b) * n + j] : 0;
              gBt = sub ? ga * cOld : ga * cOld * (1 - sp);
              G[li][k] = ga;
            } else {
              ga = Gn;
              if (sub) { gs -= kr * ga * th; thReset = -kr * ga * st; } else { gs -= kr * ga * bt * cOld; }
              gz = gs * sg;
              const gate = sub ? 1 : 1 - st;
              gBt = ga * cOld * gate;
              G[li][k] = gz + ga * bt * gate;
            }
            gTh = thReset - gz;
            if (l.cell === 'alif') Gb[li][k] = l.kappa * gTh + l.rho * GbOld;
          }
          let gI = ga;
          if (l.cell === 'cubalif') { gI = ga + p.betaSyn![j] * Gi[li][k]; Gi[li][k] = gI; }
          gcurNow[li][k] = gI;
          const g = grads[li];
          if (l.bias) g.bias[j] += gI;
          g.beta[j] += gBt;
          g.threshold[j] += gTh;
          for (let i = 0; i < l.inN; i++) {
            const xi = li === 0 ? x[(t * B + b) * l.inN + i] : spikes[li - 1][(t * B + b) * l.inN + i];
            g.weight[j * l.inN + i] += gI * xi;
          }
          if (l.recurrent && t > 0) {
            for (let m = 0; m < n; m++) g.recurrent![j * n + m] += gI * spikes[li][((t - 1) * B + b) * n + m];
          }
        }
      }
    }
    gcurNext = gcurNow;
  }
  return { loss: total, acc: acc[L - 1], correct: lr.correct, grads, spikes, vf: vfT };
}
