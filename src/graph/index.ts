// The Graph: spikelet's one in-memory model (types, construction, validation, shapes,
// schedule, simulation, lowering to a NetworkSpec).
export * from './types.js';
export { NODE_FIELDS, NODE_TYPES, isNodeType, type FieldSpec, type FieldKind } from './schema.js';
export { toTensor, sizeOf, tensorsEqual, type TensorLike } from './tensor.js';
export { createGraph, createNode, type GraphInit, type NodeInit } from './create.js';
export { analyzeGraph, validateGraph, type Analysis } from './validate.js';
export { flattenGraph } from './flatten.js';
export { scheduleGraph, type Schedule, type ScheduledInput } from './schedule.js';
export { inferShapes, type Shapes } from './shapes.js';
export { Simulator, simulate, graphDt, NIR_DEFAULT_DT, type SimulateOptions, type SimulationResult } from './simulate.js';
export { graphToNetwork, type LowerOptions } from './lower.js';
export { graphsEqual } from './equal.js';
export { networkToGraph } from './from-network.js';
