// One convolutional synaptic step with the same dense/event choice as events/synapse.ts: count
// the nonzero inputs over the batch; at or below `crossover` scatter each event's kernel slice
// (conv_events), otherwise im2col + the dense matmul. Integer results are identical either way.
// Counters (int64): [0] synaptic events (event × valid kernel position × output channels),
// [1] event-path steps, [2] dense-path steps.
// x [batch, inSize] (inSize = geometry G_IN_SIZE, a multiple of 16), y [batch, OH·OW·outCP],
// cols scratch [OH·OW, KP], idx scratch [inSize] int32.
import { g, G_IN_SIZE, G_OH, G_OW, G_OUT_CP, G_KP } from './geometry';
import { im2col_i8, im2col_f32 } from './im2col';
import { conv_events_i8, conv_events_f32, conv_fanout } from './conv_events';
import { matmul_i8_simd } from '../dense/matmul_i8_simd';
import { matmul_f32_simd } from '../dense/matmul_f32_simd';
import { compact_u8_simd, compact_f32_simd, count_nonzero_u8, count_nonzero_f32 } from '../events/compact';
import { bump_counters } from '../events/counters';

export function synapse_conv_i8(geom: usize, wDense: usize, wT: usize, x: usize, y: usize, cols: usize, idx: usize,
                                batch: i32, crossover: i32, valued: i32, counters: usize, outC: i32): void {
  const inSize = g(geom, G_IN_SIZE), P = g(geom, G_OH) * g(geom, G_OW), CP = g(geom, G_OUT_CP), KP = g(geom, G_KP);
  let total = 0;
  for (let b = 0; b < batch; b++) total += count_nonzero_u8(x + <usize>(b * inSize), inSize);
  const useEvents = wT != 0 && (wDense == 0 || total <= crossover);
  let pairs: i64 = 0;
  for (let b = 0; b < batch; b++) {
    const xb = x + <usize>(b * inSize), yb = y + (<usize>(b * P * CP) << 2);
    const n = compact_u8_simd(xb, inSize, idx);
    if (useEvents) {
      pairs += conv_events_i8(geom, wT, xb, idx, n, yb, valued);
    } else {
      if (counters != 0) pairs += conv_fanout(geom, idx, n);
      im2col_i8(geom, xb, cols);
      matmul_i8_simd(wDense, cols, yb, P, CP, KP);
    }
  }
  bump_counters(counters, pairs * <i64>outC, useEvents);
}

export function synapse_conv_f32(geom: usize, wDense: usize, wT: usize, x: usize, spikes: usize, y: usize, cols: usize,
                                 idx: usize, batch: i32, crossover: i32, valued: i32, counters: usize, outC: i32): void {
  const inSize = g(geom, G_IN_SIZE), P = g(geom, G_OH) * g(geom, G_OW), CP = g(geom, G_OUT_CP), KP = g(geom, G_KP);
  let total = 0;
  for (let b = 0; b < batch; b++) {
    total += spikes != 0 ? count_nonzero_u8(spikes + <usize>(b * inSize), inSize)
                         : count_nonzero_f32(x + (<usize>(b * inSize) << 2), inSize);
  }
  const useEvents = wT != 0 && (wDense == 0 || total <= crossover);
  let pairs: i64 = 0;
  for (let b = 0; b < batch; b++) {
    const xb = x + (<usize>(b * inSize) << 2), yb = y + (<usize>(b * P * CP) << 2);
    const n = spikes != 0 ? compact_u8_simd(spikes + <usize>(b * inSize), inSize, idx) : compact_f32_simd(xb, inSize, idx);
    if (useEvents) {
      pairs += conv_events_f32(geom, wT, valued != 0 ? xb : 0, idx, n, yb);
    } else {
      if (counters != 0) pairs += conv_fanout(geom, idx, n);
      im2col_f32(geom, xb, cols);
      matmul_f32_simd(wDense, cols, yb, P, CP, KP);
    }
  }
  bump_counters(counters, pairs * <i64>outC, useEvents);
}
