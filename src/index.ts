/**
 * spikelet: spiking neural networks from training to the edge.
 *
 * The public surface. Everything exported here is documented and tested.
 * @packageDocumentation
 */
export { SpikeletError, type SpikeletErrorCode } from './errors.js';
export { Runtime, type RuntimeOptions } from './runtime/runtime.js';
export type { WasmSource } from './runtime/wasm-source.js';
export {
  compile, Plan, type CompileOptions, type Precision, type StepResult, type RunResult, type LayerHandle,
  type LayerCounters,
} from './runtime/plan.js';
export {
  validateNetwork, type NetworkSpec, type LayerSpec, type LinearSpec, type CellSpec, type LifSpec, type CubaLifSpec,
  type IfSpec, type LiSpec, type PerNeuron, type Network, type Block,
} from './runtime/network.js';
export { cellConstants, type CellConstants } from './runtime/cells.js';
export {
  quantizeNetwork, THRESHOLD_I16, type QuantizeOptions, type QuantizedNetwork, type QuantBlock,
} from './quant/quantize.js';
export { IntegerReference } from './reference/integer-model.js';
