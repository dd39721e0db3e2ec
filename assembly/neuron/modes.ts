// Mode constants shared by the neuron kernels and the host (src/runtime/abi.ts mirrors them).

/** Leak: v·decay in Q15 (q15mulr, rounding, saturating). */
export const LEAK_MULTIPLY: i32 = 0;
/** Leak: v − (v >> k), hardware style (Xylo, Loihi-like); decay = 1 − 2^−k. */
export const LEAK_SHIFT: i32 = 1;
/** No leak (IF). */
export const LEAK_NONE: i32 = 2;

/** After a spike: v ← v − (threshold − v_reset). */
export const RESET_SUBTRACT: i32 = 0;
/** After a spike: v ← v_reset. */
export const RESET_ZERO: i32 = 1;
/** Never fires (LI readout): the threshold is ignored and the spike bytes are written as 0. */
export const RESET_NONE: i32 = 2;
