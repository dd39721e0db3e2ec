// Post-training quantization of a converted SNN and the error it introduces, per layer. The
// integer model is the existing one (src/quant/quantize.ts: int8 symmetric weights with a scale
// per output channel, int16 fixed-point membrane with the threshold at 4096, requantized int32
// currents); this file measures it: the weight and bias error of each layer, and how much each
// layer's firing changes when the f32 and int8 plans see the same inputs.
import { SpikeletError } from '../errors.js';
import { quantizeNetwork, THRESHOLD_I16, type QuantizedNetwork, type QuantizeOptions } from '../quant/quantize.js';
import { validateNetwork, type NetworkSpec } from '../runtime/network.js';
import { compile } from '../runtime/plan.js';
import { cellConstants } from '../runtime/cells.js';
import { Runtime } from '../runtime/runtime.js';
import type { InputEncoding } from './convert.js';
import { encodeInput } from './evaluate.js';
import { seededRandom } from '../util/random.js';

/** Quantization error of one cell layer (block). */
export interface LayerQuantError {
  /** Block index and the index of its cell in `spec.layers`. */
  readonly block: number;
  readonly specLayer: number;
  readonly kind: string;
  /** ‖W − s·W_q‖ / ‖W‖ over the layer's weights. */
  readonly weightRelError: number;
  /** max |W − s·W_q| in units of the threshold. */
  readonly weightMaxError: number;
  /** max |b − b_q| in units of the threshold (bias per step). */
  readonly biasMaxError: number;
  /** Mean over neurons of |rate_f32 − rate_int8| (spikes per step) on the probe inputs; NaN without data. */
  readonly rateError: number;
  /** Mean rate of the f32 layer (spikes per neuron per step), for scale. */
  readonly rate: number;
}

/** Options of {@link quantizationReport}. */
export interface QuantReportOptions {
  /** Quantization options (input scale, granularity). */
  readonly quantization?: QuantizeOptions;
  /** Probe inputs `[samples, inputSize]` to compare firing (optional; e.g. 64 test samples). */
  readonly data?: Float32Array;
  /** Steps per probe sample (default 32). */
  readonly timesteps?: number;
  readonly encoding?: InputEncoding;
  readonly inputMax?: number;
  readonly runtime?: Runtime;
}

/**
 * Quantizes a network to int8 and reports the error per layer.
 * @param spec The float network.
 * @param options Quantization options and optional probe data.
 * @returns The integer model and one {@link LayerQuantError} per cell layer.
 * @example
 * const { layers } = quantizationReport(snn.spec, { quantization: { inputScale: snn.inputScale }, data: test.x.subarray(0, 64 * 64) });
 */
export function quantizationReport(spec: NetworkSpec, options: QuantReportOptions = {}): { quantized: QuantizedNetwork; layers: LayerQuantError[] } {
  const net = validateNetwork(spec, 'quantizationReport');
  const encoding = options.encoding ?? 'analog';
  const q = quantizeNetwork(net, { ...options.quantization, input: encoding === 'poisson' ? 'spikes' : 'analog' });
  let rates: { f: Float64Array[]; d: Float64Array[] } | undefined;
  if (options.data) {
    const n = net.inputSize;
    if (options.data.length === 0 || options.data.length % n !== 0) {
      throw new SpikeletError('shape_mismatch', 'quantizationReport', 'data.length', `a positive multiple of ${n}`, options.data.length);
    }
    const B = options.data.length / n, T = options.timesteps ?? 32;
    const rt = options.runtime ?? Runtime.createSync();
    const seq = encodeInput(options.data, n, T, encoding, options.inputMax ?? 1, seededRandom(7));
    const mark = rt.mark();
    try {
      const common = { batch: B, eventDriven: 'off' as const, input: encoding === 'poisson' ? 'spikes' as const : 'analog' as const };
      const f = compile(rt, spec, { ...common, precision: 'f32' }).run(seq);
      const i8 = compile(rt, spec, { ...common, precision: 'int8', quantized: q }).run(seq);
      const mean = (s: Uint8Array, size: number) => {
        const r = new Float64Array(size);
        for (let k = 0; k < s.length; k++) r[k % size] += s[k];
        return r.map((v) => v / (T * B));
      };
      rates = {
        f: f.layerSpikes.map((s, l) => mean(s, net.blocks[l].n)),
        d: i8.layerSpikes.map((s, l) => mean(s, net.blocks[l].n)),
      };
    } finally {
      rt.release(mark);
    }
  }
  const layers = net.blocks.map((b, k) => {
    const qb = q.blocks[k];
    const rows = b.conv ? b.conv.outShape[0] : b.n;
    const cols = b.weight.length / rows;
    const perChannel = b.n / rows;
    let se = 0, s2 = 0, wMax = 0, bMax = 0;
    for (let o = 0; o < rows; o++) {
      const th = b.vThreshold[o * perChannel] || 1;
      for (let i = 0; i < cols; i++) {
        const w = b.weight[o * cols + i], e = w - qb.weight[o * cols + i] * qb.weightScale[o];
        se += e * e;
        s2 += w * w;
        wMax = Math.max(wMax, Math.abs(e) / th);
      }
    }
    const c = cellConstants(b, net.dt);
    for (let o = 0; o < b.n; o++) {
      // The stored bias is in membrane units per step: b·g/unit, g = β (β·β_syn for CuBaLIF), as quantize.ts stores it.
      const gain = c.synBeta ? c.beta[o] * c.synBeta[o] : c.beta[o];
      const back = (qb.bias[o] * qb.unit[o]) / (gain || 1);
      const th = b.kind === 'li' ? 1 : qb.unit[o] * THRESHOLD_I16;
      bMax = Math.max(bMax, Math.abs(back - b.bias[o]) / th);
    }
    let rateError = NaN, rate = NaN;
    if (rates) {
      const f = rates.f[k], d = rates.d[k];
      rateError = f.reduce((a, v, i) => a + Math.abs(v - d[i]), 0) / f.length;
      rate = f.reduce((a, v) => a + v, 0) / f.length;
    }
    return {
      block: k, specLayer: b.layerIndex, kind: b.kind, weightRelError: s2 > 0 ? Math.sqrt(se / s2) : 0,
      weightMaxError: wMax, biasMaxError: bMax, rateError, rate,
    };
  });
  return { quantized: q, layers };
}
