// The plan interpreter: runs a compiled network for many time steps in one host→wasm call.
//
// A program is an array of fixed-size op records (OP_WORDS int32 words each) that the host
// writes once at compile time (src/runtime/program.ts). Each step executes the records in
// order. Fields are pointers into linear memory, sizes and constants; a "stream" pointer
// advances by its stride each step (the run's input and recorded outputs), every other
// pointer names a fixed buffer of the plan. Kernels are called directly: no host round trip
// per layer or per step.
import { synapse_i8, synapse_f32 } from '../events/synapse';
import { synapse_conv_i8, synapse_conv_f32 } from '../conv/synapse_conv';
import { pool_u8, pool_f32 } from '../conv/pool';
import { lif_i16_simd } from '../neuron/lif_i16_simd';
import { syn_i16_simd } from '../neuron/syn_i16';
import { lif_f32_simd, syn_f32_simd } from '../neuron/lif_f32';
import { requant_i16_simd, requant_i16_fast_simd, current_f32_simd } from './requant';
import { quantize_f32_i8, spikes_f32_u8, copy_rows, u8_to_f32, dequantize_rows_i16, gather_rows_u8, gather_rows_f32 } from './io';

export const OP_WORDS: i32 = 16;

// Opcodes (src/runtime/abi.ts mirrors them).
export const OP_INPUT_Q8: i32 = 1;    // src, srcStride, dst, n, nP, batch, invScale(f32 bits)
export const OP_INPUT_F32: i32 = 2;   // src, srcStride, dst, n, nP, batch
export const OP_SYNAPSE_I8: i32 = 3;  // wDense, wT, x, y, batch, outP, inP, idx, crossover, valued, counters, fanOut
export const OP_SYNAPSE_F32: i32 = 4; // wDense, wT, x, spikes, y, batch, outP, inP, idx, crossover, valued, counters, fanOut
export const OP_REQUANT: i32 = 5;     // acc1, m1, s1, acc2, m2, s2, bias, cur, n, batch, fast
export const OP_CURRENT_F32: i32 = 6; // acc1, acc2, bias, cur, n, batch
export const OP_SYN_I16: i32 = 7;     // syn, cur, decay, n, batch, leakMode, shiftK
export const OP_SYN_F32: i32 = 8;     // syn, cur, alpha, beta, n, batch
export const OP_LIF_I16: i32 = 9;     // v, cur, decay, leak, th, vr, spk, refr, n, batch, leakMode, shiftK, resetMode, refrSteps, spikeCounter
export const OP_LIF_F32: i32 = 10;    // v, cur, alpha, beta, gamma, th, vr, spk, refr, n, batch, resetMode, refrSteps, spikeCounter
export const OP_RECORD: i32 = 11;     // src, srcStride, dst, dstStepStride, rowBytes, rows
export const OP_U8_TO_F32: i32 = 12;  // src, dst, count
export const OP_CONV_I8: i32 = 14;    // geom, wDense, wT, x, y, cols, idx, batch, crossover, valued, counters, outC
export const OP_CONV_F32: i32 = 15;   // geom, wDense, wT, x, spikes, y, cols, idx, batch, crossover, valued, counters, outC
export const OP_POOL_U8: i32 = 16;    // geom, src, dst, batch, srcSize, dstSize (elements per sample)
export const OP_POOL_F32: i32 = 17;   // geom, src, dst, batch, srcSize, dstSize, scale(f32 bits)
export const OP_INPUT_SPIKES: i32 = 18; // src, srcStride, dst, n, nP, batch
export const OP_GATHER_U8: i32 = 19;  // src, srcStride, map, dst, dstStepStride, n, rows
export const OP_GATHER_F32: i32 = 20; // src, srcStride, map, unit (0: f32 src), dst, dstStepStride, n, rows
export const OP_RECORD_DEQ: i32 = 13; // src(int16 [batch, nP]), unit(f32 [nP]), dst, dstStepStride, n, nP, batch

// @ts-ignore: decorator
@inline function w(op: usize, k: i32): i32 {
  return load<i32>(op + (<usize>k << 2));
}
// @ts-ignore: decorator
@inline function p(op: usize, k: i32): usize {
  return <usize>load<u32>(op + (<usize>k << 2));
}
// @ts-ignore: decorator
@inline function count(counter: usize, by: i64): void {
  if (counter != 0) store<i64>(counter, load<i64>(counter) + by);
}

/** Runs `steps` time steps of the program at `prog` (`nOps` records). Returns 0. */
export function plan_run(prog: usize, nOps: i32, steps: i32): i32 {
  for (let t = 0; t < steps; t++) {
    for (let k = 0; k < nOps; k++) {
      const op = prog + (<usize>(k * OP_WORDS) << 2);
      switch (w(op, 0)) {
        case OP_INPUT_Q8:
          quantize_f32_i8(p(op, 1) + <usize>(t * w(op, 2)), p(op, 3), w(op, 4), w(op, 5), w(op, 6),
                          reinterpret<f32>(w(op, 7)));
          break;
        case OP_INPUT_F32:
          copy_rows(p(op, 1) + <usize>(t * w(op, 2)), p(op, 3), w(op, 4) << 2, w(op, 4) << 2,
                    w(op, 5) << 2, w(op, 6));
          break;
        case OP_SYNAPSE_I8:
          synapse_i8(p(op, 1), p(op, 2), p(op, 3), p(op, 4), w(op, 5), w(op, 6), w(op, 7), p(op, 8), w(op, 9),
                     w(op, 10), p(op, 11), w(op, 12));
          break;
        case OP_SYNAPSE_F32:
          synapse_f32(p(op, 1), p(op, 2), p(op, 3), p(op, 4), p(op, 5), w(op, 6), w(op, 7), w(op, 8), p(op, 9),
                      w(op, 10), w(op, 11), p(op, 12), w(op, 13));
          break;
        case OP_REQUANT:
          if (w(op, 11) != 0) {
            requant_i16_fast_simd(p(op, 1), p(op, 2), w(op, 3), p(op, 4), p(op, 5), w(op, 6), p(op, 7), p(op, 8),
                                  w(op, 9), w(op, 10));
          } else {
            requant_i16_simd(p(op, 1), p(op, 2), w(op, 3), p(op, 4), p(op, 5), w(op, 6), p(op, 7), p(op, 8),
                             w(op, 9), w(op, 10));
          }
          break;
        case OP_INPUT_SPIKES:
          spikes_f32_u8(p(op, 1) + <usize>(t * w(op, 2)), p(op, 3), w(op, 4), w(op, 5), w(op, 6));
          break;
        case OP_CURRENT_F32:
          current_f32_simd(p(op, 1), p(op, 2), p(op, 3), p(op, 4), w(op, 5), w(op, 6));
          break;
        case OP_SYN_I16:
          syn_i16_simd(p(op, 1), p(op, 2), p(op, 3), w(op, 4), w(op, 5), w(op, 6), w(op, 7));
          break;
        case OP_SYN_F32:
          syn_f32_simd(p(op, 1), p(op, 2), p(op, 3), p(op, 4), w(op, 5), w(op, 6));
          break;
        case OP_LIF_I16:
          count(p(op, 15), <i64>lif_i16_simd(p(op, 1), p(op, 2), p(op, 3), p(op, 4), p(op, 5), p(op, 6),
            p(op, 7), p(op, 8), w(op, 9), w(op, 10), w(op, 11), w(op, 12), w(op, 13), w(op, 14)));
          break;
        case OP_LIF_F32:
          count(p(op, 14), <i64>lif_f32_simd(p(op, 1), p(op, 2), p(op, 3), p(op, 4), p(op, 5), p(op, 6),
            p(op, 7), p(op, 8), p(op, 9), w(op, 10), w(op, 11), w(op, 12), w(op, 13)));
          break;
        case OP_RECORD:
          copy_rows(p(op, 1), p(op, 3) + <usize>(t * w(op, 4)), w(op, 5), w(op, 2), w(op, 5), w(op, 6));
          break;
        case OP_RECORD_DEQ:
          dequantize_rows_i16(p(op, 1), p(op, 2), p(op, 3) + <usize>(t * w(op, 4)), w(op, 5), w(op, 6), w(op, 7));
          break;
        case OP_CONV_I8:
          synapse_conv_i8(p(op, 1), p(op, 2), p(op, 3), p(op, 4), p(op, 5), p(op, 6), p(op, 7), w(op, 8), w(op, 9),
                          w(op, 10), p(op, 11), w(op, 12));
          break;
        case OP_CONV_F32:
          synapse_conv_f32(p(op, 1), p(op, 2), p(op, 3), p(op, 4), p(op, 5), p(op, 6), p(op, 7), p(op, 8), w(op, 9),
                           w(op, 10), w(op, 11), p(op, 12), w(op, 13));
          break;
        case OP_POOL_U8:
          for (let b = 0; b < w(op, 4); b++) {
            pool_u8(p(op, 1), p(op, 2) + <usize>(b * w(op, 5)), p(op, 3) + <usize>(b * w(op, 6)));
          }
          break;
        case OP_POOL_F32:
          for (let b = 0; b < w(op, 4); b++) {
            pool_f32(p(op, 1), p(op, 2) + (<usize>(b * w(op, 5)) << 2), p(op, 3) + (<usize>(b * w(op, 6)) << 2),
                     reinterpret<f32>(w(op, 7)));
          }
          break;
        case OP_GATHER_U8:
          gather_rows_u8(p(op, 1), w(op, 2), p(op, 3), p(op, 4) + <usize>(t * w(op, 5)), w(op, 6), w(op, 7));
          break;
        case OP_GATHER_F32:
          gather_rows_f32(p(op, 1), w(op, 2), p(op, 3), p(op, 4), p(op, 5) + <usize>(t * w(op, 6)), w(op, 7), w(op, 8));
          break;
        case OP_U8_TO_F32:
          u8_to_f32(p(op, 1), p(op, 2), w(op, 3));
          break;
        default:
          return -(k + 1); // unknown opcode: the host never writes one; report where
      }
    }
  }
  return 0;
}
