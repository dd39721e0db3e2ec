// One synaptic layer step that chooses its path from the activity it sees: count the nonzero
// inputs of every batch row; if the total is at most `crossover` (events per step, measured by
// the host's calibration), compact each row to an index list and accumulate presynaptic-major
// weight rows (cost ∝ spikes); otherwise run the dense matmul (cost ∝ synapses). Integer results
// are identical either way. Counters (int64, at `counters`): [0] synaptic events (nonzero
// inputs × fan-out), [1] steps that took the event path, [2] steps that took the dense path.
import { matmul_i8_simd } from '../dense/matmul_i8_simd';
import { matmul_f32_simd } from '../dense/matmul_f32_simd';
import { compact_u8_simd, compact_f32_simd, count_nonzero_u8, count_nonzero_f32 } from './compact';
import { events_i8_spk_simd, events_i8_val_simd } from './accumulate_i8';
import { events_f32_simd } from './accumulate_f32';
import { bump_counters } from './counters';

/** int8 inputs x [batch, inP] (spike bytes when valued == 0). wDense from pack_i8 (0: no dense
 *  path), wT [inP, outP] int8 (0: no event path), idx scratch [inP] int32, y [batch, outP]. */
export function synapse_i8(wDense: usize, wT: usize, x: usize, y: usize, batch: i32, outP: i32, inP: i32,
                           idx: usize, crossover: i32, valued: i32, counters: usize, fanOut: i32): void {
  let total = 0;
  for (let b = 0; b < batch; b++) total += count_nonzero_u8(x + <usize>(b * inP), inP);
  const useEvents = wT != 0 && (wDense == 0 || total <= crossover);
  if (useEvents) {
    for (let b = 0; b < batch; b++) {
      const xb = x + <usize>(b * inP), yb = y + (<usize>(b * outP) << 2);
      const n = compact_u8_simd(xb, inP, idx);
      if (valued != 0) events_i8_val_simd(wT, xb, idx, n, yb, outP);
      else events_i8_spk_simd(wT, idx, n, yb, outP);
    }
  } else {
    matmul_i8_simd(wDense, x, y, batch, outP, inP);
  }
  bump_counters(counters, <i64>total * <i64>fanOut, useEvents);
}

/** f32 inputs x [batch, inP]; spikes (u8 [batch, inP], or 0 to scan x itself) locate events. */
export function synapse_f32(wDense: usize, wT: usize, x: usize, spikes: usize, y: usize, batch: i32, outP: i32,
                            inP: i32, idx: usize, crossover: i32, valued: i32, counters: usize, fanOut: i32): void {
  let total = 0;
  for (let b = 0; b < batch; b++) {
    total += spikes != 0 ? count_nonzero_u8(spikes + <usize>(b * inP), inP)
                         : count_nonzero_f32(x + (<usize>(b * inP) << 2), inP);
  }
  const useEvents = wT != 0 && (wDense == 0 || total <= crossover);
  if (useEvents) {
    for (let b = 0; b < batch; b++) {
      const xb = x + (<usize>(b * inP) << 2), yb = y + (<usize>(b * outP) << 2);
      const n = spikes != 0 ? compact_u8_simd(spikes + <usize>(b * inP), inP, idx) : compact_f32_simd(xb, inP, idx);
      events_f32_simd(wT, valued != 0 ? xb : 0, idx, n, yb, outP);
    }
  } else {
    matmul_f32_simd(wDense, x, y, batch, outP, inP);
  }
  bump_counters(counters, <i64>total * <i64>fanOut, useEvents);
}
