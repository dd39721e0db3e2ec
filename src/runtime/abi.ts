// Mirrors of the constants and exports of the wasm module (assembly/). Keep in step with
// assembly/neuron/modes.ts and assembly/plan/interpreter.ts.

export const LEAK_MULTIPLY = 0;
export const LEAK_SHIFT = 1;
export const LEAK_NONE = 2;

export const RESET_SUBTRACT = 0;
export const RESET_ZERO = 1;
export const RESET_NONE = 2;

export const OP_WORDS = 16;
export const OP_INPUT_Q8 = 1;
export const OP_INPUT_F32 = 2;
export const OP_SYNAPSE_I8 = 3;
export const OP_SYNAPSE_F32 = 4;
export const OP_REQUANT = 5;
export const OP_CURRENT_F32 = 6;
export const OP_SYN_I16 = 7;
export const OP_SYN_F32 = 8;
export const OP_LIF_I16 = 9;
export const OP_LIF_F32 = 10;
export const OP_RECORD = 11;
export const OP_U8_TO_F32 = 12;
export const OP_RECORD_DEQ = 13;
export const OP_GATHER_U8 = 19;
export const OP_GATHER_F32 = 20;
export const OP_INPUT_SPIKES = 18;
export const OP_CONV_I8 = 14;
export const OP_CONV_F32 = 15;
export const OP_POOL_U8 = 16;
export const OP_POOL_F32 = 17;

type Fn = (...args: number[]) => number;

/** The functions the kernel module exports (pointers and sizes are plain numbers). */
export interface KernelExports {
  heap_base(): number;
  plan_run(prog: number, nOps: number, steps: number): number;
  packed_i8_bytes(outP: number, inP: number): number;
  pack_i8(src: number, dst: number, outP: number, inP: number): void;
  packed_f32_bytes(outP: number, inP: number): number;
  pack_f32(src: number, dst: number, outP: number, inP: number): void;
  count_nonfinite_f32(ptr: number, n: number): number;
  synapse_i8(wDense: number, wT: number, x: number, y: number, batch: number, outP: number, inP: number,
    idx: number, crossover: number, valued: number, counters: number, fanOut: number): void;
  synapse_f32(wDense: number, wT: number, x: number, spikes: number, y: number, batch: number, outP: number,
    inP: number, idx: number, crossover: number, valued: number, counters: number, fanOut: number): void;
  [kernel: string]: Fn | unknown;
}
