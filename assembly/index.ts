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
export { det_sin, det_cos, det_log_u32h } from './env/trig';
export { env_reset, env_step_f64, env_observe_f64, env_obs_size, cartpole_step4_soa } from './env/classic';
export { philox4x32_ref, es_noise_f64, reset_uniform4 } from './es/philox';
export { es_eval_f32 } from './es/rollout';
export * from './events/compact';
export * from './events/accumulate_i8';
export * from './events/accumulate_f32';
export * from './events/synapse';
export * from './conv/im2col';
export * from './conv/conv_events';
export * from './conv/pool';
export * from './conv/synapse_conv';
// Surrogate-gradient training: BPTT cells, synapse products, optimizers (W4-training).
export * from './train/surrogate';
export * from './train/cell_f32';
export * from './train/synapse_f32';
export * from './train/optim_f32';
