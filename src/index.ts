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
export { seededRandom } from './util/random.js';
export {
  quantizeNetwork, THRESHOLD_I16, type QuantizeOptions, type QuantizedNetwork, type QuantBlock,
} from './quant/quantize.js';
export { IntegerReference } from './reference/integer-model.js';

// --- Evolution strategies, environments, control recipes (W5-es) ---
export {
  makeEnv, registerEnv, envDefinition, envNames, CARTPOLE_V1, PENDULUM_V1, POINTMASS_V0,
  type Env, type EnvDefinition, type EnvStep, type ActionSpace, type MakeEnvOptions,
} from './envs/classic.js';
export { detSin, detCos } from './envs/trig.js';
export { philox4x32, noiseVector, resetUniforms } from './es/rng.js';
export {
  OpenES, SNES, centeredRanks, type Strategy, type StrategyState, type SampleSpec, type OpenESParams, type OpenESState,
  type SNESParams, type SNESState,
} from './es/strategies.js';
export {
  makePolicy, policyNetwork, memberParams, evaluateJs, int8Constants, quantizeMember, ceilLog2,
  type Policy, type PolicyConfig, type Int8Member,
} from './es/policy.js';
export {
  createEvaluator, LocalEvaluator, WorkerEvaluator, type Evaluator, type EvalJob, type EvalResult,
  type EvalSchedule, type WorkerEvaluatorOptions,
} from './es/evaluator.js';
export {
  evolve, evaluateParams, serializeState, deserializeState, strategyOf, EVAL_GENERATION,
  type EvolveConfig, type EvolveOptions, type EvolveProgress, type EvolveResult,
} from './es/run.js';
export { evaluatePlan, deployInputScale } from './es/deploy.js';
export { ES_RECIPES, esRecipe, type EsRecipe } from './zoo/control.js';

// --- Graph IR, NIR import/export, the .spk format (W3-graph-nir) ---
export {
  createGraph, createNode, validateGraph, analyzeGraph, flattenGraph, scheduleGraph, inferShapes, graphsEqual,
  toTensor, sizeOf, tensorsEqual, NODE_FIELDS, NODE_TYPES, isNodeType, STATEFUL_TYPES, SPIKING_TYPES,
  Simulator, simulate, graphDt, NIR_DEFAULT_DT, graphToNetwork, networkToGraph,
  type Graph, type GraphNode, type NodeType, type Edge, type Tensor, type TensorLike, type DType, type Padding,
  type ResetMode, type NodeBase, type InputNode, type OutputNode, type AffineNode, type LinearNode, type ScaleNode,
  type ConvFields, type Conv1dNode, type Conv2dNode, type Pool2dFields, type SumPool2dNode, type AvgPool2dNode, type FlattenNode, type DelayNode,
  type ThresholdNode, type INode, type IFNode, type LINode, type LIFNode, type CubaLINode, type CubaLIFNode,
  type SubgraphNode, type GraphInit, type NodeInit, type FieldSpec, type FieldKind, type Analysis, type Schedule,
  type ScheduledInput, type Shapes, type SimulateOptions, type SimulationResult, type LowerOptions,
} from './graph/index.js';
export { readNir, writeNir, isHdf5, useH5wasm, type ReadNirOptions, type WriteNirOptions } from './io/nir/index.js';
export {
  readSpk, writeSpk, isSpk, crc32, SPK_MAGIC, SPK_VERSION, SPK_ALIGN, networkSkeleton, skeletonToSpec,
  type NetworkSkeleton, type LayerSkeleton, type ReadSpkOptions, type WriteSpkOptions, type SpkModel, type SpkTensorEntry, type SpkDType,
} from './io/spk/index.js';
// --- end W3-graph-nir ---

// --- Surrogate-gradient training in wasm: BPTT kernels, losses, optimizers, trainer, recipes (W4-training) ---
export {
  surrogate, resolveSurrogate, surrogateDerivative, SURROGATE_NAMES, SURROGATE_KINDS,
  type SurrogateSpec, type ResolvedSurrogate,
} from './train/surrogates.js';
export {
  resolveModel, initParams, checkParams, cloneParams,
  type TrainModelSpec, type TrainLayerSpec, type TrainLayerParams, type TrainCell, type SpikeOrder, type PerNeuronInit,
  type ResolvedModel, type ResolvedLayer,
} from './train/model.js';
export {
  checkLoss, computeLoss, checkRegularizer, rateRegularizer, LOSS_TYPES,
  type LossSpec, type RateRegularizer, type LossResult,
} from './train/losses.js';
export { referenceBptt, type ReferenceResult, type LayerGrads } from './train/reference.js';
export { TrainEngine, type ParamSegment, type ForwardStats } from './train/engine.js';
export {
  Optimizer, checkOptimizer, learningRate, type OptimizerSpec, type ScheduleSpec, type ResolvedOptimizer,
} from './train/optim.js';
export {
  Trainer, epochPermutation, writeAtomic,
  type TrainConfig, type TrainProgress, type EpochRecord, type FitOptions, type FitResult, type EvalResult as TrainEvalResult,
} from './train/trainer.js';
export { exportNetwork, type ExportOptions } from './train/export.js';
export {
  checkDataset, rateEncode, temporalTask, parseDigitsCsv, shiftDigits, warpDigits, encodeDigits, sliceDigits,
  type SpikeDataset, type DigitsTable,
} from './train/data.js';
export { TRAIN_RECIPES, trainRecipe, DIGITS_PATHS, type TrainRecipe, type RecipeData } from './zoo/train-recipes.js';
// --- end W4-training ---

// --- ONNX import, ANN→SNN conversion, PTQ report, QAT (W6-convert) ---
export {
  readOnnx, isOnnx, useOnnxProto, ONNX_SUPPORTED_OPS, ONNX_OPSET_RANGE, shapeSize,
  type ReadOnnxOptions, type AnnModel, type AnnLayer, type AnnLayerBase, type AnnDense, type AnnConv, type AnnRelu,
  type AnnPool, type AnnGlobalAvgPool, type AnnPad, type AnnReshape,
} from './io/onnx/index.js';
export {
  AnnRunner, runAnn, argmaxRows, accuracyOf, activationStats, percentileSorted, convertAnn, evaluateSnn,
  encodeInput, quantizationReport, parseLabeledCsv, sliceRows, qat,
  type RunAnnOptions, type ActivationHook, type ActivationStatsOptions, type LayerStats, type ConvertProgress,
  type ConvertOptions, type ConvertedSnn, type ConvertedLayer, type InputEncoding, type Readout, type EvaluateSnnOptions,
  type SnnAccuracy, type SnnEvaluation, type LayerQuantError, type QuantReportOptions, type LabeledData, type ParseCsvOptions,
  type QatOptions, type QatResult, type QatEpoch, type QatProgress,
} from './convert/index.js';
// --- end W6-convert ---
