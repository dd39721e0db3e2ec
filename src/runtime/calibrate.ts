// Measures, on the running machine, the input activity at which the event-driven path of a
// synaptic layer stops being faster than the dense one. Both paths run the layer's own weights
// on synthetic inputs of increasing activity; the crossover is where their times cross
// (linearly interpolated). Results are cached per runtime and shape, so compiling many plans
// of the same shapes measures once.
import type { Runtime } from './runtime.js';
import type { ActLayout } from './layout.js';
import { seededRandom } from '../util/random.js';

/** The synaptic op to calibrate: its kernel and where its weights and buffers are. */
export interface SynapseOp {
  readonly kernel: 'synapse_i8' | 'synapse_f32' | 'synapse_conv_i8' | 'synapse_conv_f32';
  readonly wDense: number;
  readonly wT: number;
  readonly outP: number;
  /** Input elements per sample as stored (padded). */
  readonly inP: number;
  /** Real inputs per sample. */
  readonly inN: number;
  readonly batch: number;
  readonly valued: boolean;
  /** Layout of the input, so synthetic events land only on real (unpadded) inputs. */
  readonly real: ActLayout;
  /** Conv ops: geometry record and im2col scratch. */
  readonly geom?: number;
  readonly cols?: number;
}

/** Whether stored input element i of a layout is a real input (not channel or row padding). */
function isReal(l: ActLayout, i: number): boolean {
  if (l.kind === 'hwc') return i % l.cp < l.shape[0];
  if (l.kind === 'flat') return i < l.n;
  return i < l.shape[0] * l.shape[1] * l.shape[2];
}

/** One point of a calibration curve: µs per step of each path at an input activity. */
export interface CalibrationPoint {
  readonly activity: number;
  readonly denseUs: number;
  readonly eventsUs: number;
}

/** The measured crossover activity (events are used at or below it) and the curve behind it. */
export interface Calibration {
  readonly crossover: number;
  readonly curve: readonly CalibrationPoint[];
}

const ACTIVITIES = [0.001, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.35, 0.5, 0.75, 1];
const cache = new WeakMap<Runtime, Map<string, Calibration>>();

/** Median µs of one call of `fn`, repeated until each sample spans ≥ `minMs`. */
export function timeUs(fn: () => void, samples = 5, minMs = 0.3): number {
  for (let i = 0; i < 3; i++) fn(); // let V8 tier the kernels up before timing
  let reps = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) fn();
    if (performance.now() - t0 >= minMs || reps >= 1 << 20) break;
    reps *= 2;
  }
  const out: number[] = [];
  for (let s = 0; s < samples; s++) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) fn();
    out.push(((performance.now() - t0) * 1000) / reps);
  }
  return out.sort((a, b) => a - b)[samples >> 1];
}

/**
 * Measures the dense/event crossover of one synaptic op (see the file header).
 * @param rt The runtime holding the op's weights.
 * @param op The op's kernel, weights and sizes.
 * @param useCache Reuse an earlier measurement of the same shape on this runtime.
 */
export function calibrateSynapse(rt: Runtime, op: SynapseOp, useCache = true): Calibration {
  const key = `${op.kernel}/${op.outP}x${op.inP}/b${op.batch}/${op.valued ? 'v' : 's'}/${op.geom ? rt.view().i32.subarray(op.geom >> 2, (op.geom >> 2) + 20).join(',') : ''}`;
  let byShape = cache.get(rt);
  if (!byShape) cache.set(rt, (byShape = new Map()));
  const hit = useCache ? byShape.get(key) : undefined;
  if (hit) return hit;

  const mark = rt.mark();
  const f32 = op.kernel === 'synapse_f32' || op.kernel === 'synapse_conv_f32';
  const k = rt.kernels as unknown as Record<string, (...a: number[]) => void>;
  const B = op.batch;
  const x = rt.alloc(B * op.inP * (f32 ? 4 : 1));
  const spikes = f32 ? rt.alloc(B * op.inP) : 0;
  const y = rt.alloc(B * op.outP * 4); // outP: output elements per sample (conv: OH·OW·outCP)
  const idx = rt.alloc(op.inP * 4);
  const r = seededRandom(0x5eed);
  const curve: CalibrationPoint[] = [];
  const v = op.valued ? 1 : 0;
  const run = (crossover: number) => () => {
    switch (op.kernel) {
      case 'synapse_f32': k.synapse_f32(op.wDense, op.wT, x, spikes, y, B, op.outP, op.inP, idx, crossover, v, 0, 0); break;
      case 'synapse_i8': k.synapse_i8(op.wDense, op.wT, x, y, B, op.outP, op.inP, idx, crossover, v, 0, 0); break;
      case 'synapse_conv_i8': k.synapse_conv_i8(op.geom!, op.wDense, op.wT, x, y, op.cols!, idx, B, crossover, v, 0, 0); break;
      case 'synapse_conv_f32': k.synapse_conv_f32(op.geom!, op.wDense, op.wT, x, spikes, y, op.cols!, idx, B, crossover, v, 0, 0); break;
    }
  };
  for (const a of ACTIVITIES) {
    const v = rt.view();
    for (let b = 0; b < B; b++) {
      for (let i = 0; i < op.inP; i++) {
        const on = isReal(op.real, i) && r() < a ? 1 : 0;
        if (f32) {
          v.f32[(x >> 2) + b * op.inP + i] = on;
          v.u8[spikes + b * op.inP + i] = on;
        } else {
          v.i8[x + b * op.inP + i] = on * (op.valued ? 100 : 1);
        }
      }
    }
    curve.push({ activity: a, denseUs: timeUs(run(-1)), eventsUs: timeUs(run(0x7fffffff)) });
  }
  rt.release(mark);

  let crossover = 1;
  for (let k = 0; k < curve.length; k++) {
    const c = curve[k];
    if (c.eventsUs < c.denseUs) continue;
    if (k === 0) { crossover = 0; break; }
    const p = curve[k - 1];
    const dp = p.denseUs - p.eventsUs, dc = c.eventsUs - c.denseUs; // > 0 before, ≥ 0 here
    crossover = p.activity + ((c.activity - p.activity) * dp) / (dp + dc);
    break;
  }
  const result = { crossover, curve };
  byShape.set(key, result);
  return result;
}
