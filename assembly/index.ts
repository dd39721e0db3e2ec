// The one wasm module's export list: every kernel is exported under its own name
// ({op}_{dtype}[_{tile}]_{simd|ref}), grouped by concern. Memory is imported from the host,
// which lays it out; kernels allocate nothing.
export * from './util/layout';
export * from './neuron/lif_i16_simd';
export * from './neuron/lif_i16_ref';
export * from './neuron/syn_i16';
export * from './neuron/lif_f32';
export * from './plan/requant';
export * from './plan/io';
export { plan_run } from './plan/interpreter';
export * from './dense/pack';
export * from './dense/matmul_i8_simd';
export * from './dense/matmul_i8i16_simd';
export * from './dense/matmul_i8_ref';
export * from './dense/matmul_f32_simd';
export * from './dense/matmul_f32_ref';
// Evolution strategies and control environments (W5-es).
export * from './env/trig';
export * from './env/classic';
export * from './es/philox';
export * from './es/rollout';
export * from './events/compact';
export * from './events/accumulate_i8';
export * from './events/accumulate_f32';
export * from './events/synapse';
