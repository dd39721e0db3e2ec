// The in-memory model: typed nodes for every NIR 1.0 primitive, float32 parameters, edges.
// Field names are NIR's in camelCase (v_threshold → vThreshold) and units are NIR's (seconds);
// src/graph/schema.ts maps each field to its NIR dataset name and kind.

/** A float32 tensor: row-major data and its shape (`[]` for a 0-d scalar). */
export interface Tensor {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/** Numeric type of a dataset as a file stored it (kept so a re-export writes the same dtype). */
export type DType = 'float32' | 'float64' | 'int8' | 'int16' | 'int32' | 'int64' | 'uint8' | 'uint16' | 'uint32' | 'uint64';

/** A padding given per spatial dimension or in PyTorch's string form. */
export type Padding = readonly number[] | 'same' | 'valid';

/** Reset applied after a spike: `zero` sets v to v_reset (NIR, Norse); `subtract` removes v_threshold − v_reset. */
export type ResetMode = 'zero' | 'subtract';

/** Fields every node carries. */
export interface NodeBase {
  /** Unique name within its graph (may contain dots, e.g. `lif1.lif`). */
  readonly name: string;
  /** Dtype of each dataset as read from a file, by NIR field name (optional; writers default to float32/int64). */
  readonly dtypes?: Readonly<Record<string, DType>>;
  /** Datasets a reader did not recognise, kept verbatim for a round trip. */
  readonly extra?: Readonly<Record<string, Tensor | string>>;
  /** Per-node metadata (NIR `metadata` group): strings and numbers. */
  readonly metadata?: Readonly<Record<string, unknown>>;
}

/** Graph input. `shape` excludes time; some exporters bake a batch dimension of 1 into it. */
export interface InputNode extends NodeBase { readonly type: 'Input'; readonly shape: readonly number[] }
/** Graph output. */
export interface OutputNode extends NodeBase { readonly type: 'Output'; readonly shape: readonly number[] }
/** y = W x + b, W `[out, in]`. */
export interface AffineNode extends NodeBase { readonly type: 'Affine'; readonly weight: Tensor; readonly bias: Tensor }
/** y = W x, W `[out, in]`. */
export interface LinearNode extends NodeBase { readonly type: 'Linear'; readonly weight: Tensor }
/** y = s ⊙ x. */
export interface ScaleNode extends NodeBase { readonly type: 'Scale'; readonly scale: Tensor }
/** Fields of Conv1d and Conv2d; weight `[out, in/groups, ...kernel]`. */
export interface ConvFields extends NodeBase {
  readonly weight: Tensor;
  readonly bias: Tensor;
  readonly stride: readonly number[];
  readonly padding: Padding;
  readonly dilation: readonly number[];
  readonly groups: number;
  /** Spatial input size, `[L]` or `[H, W]` (optional in files). */
  readonly inputShape?: readonly number[];
}
/** 1-D convolution over `[C, L]`; weight `[out, in/groups, k]`. */
export interface Conv1dNode extends ConvFields { readonly type: 'Conv1d' }
/** 2-D convolution over `[C, H, W]`; weight `[out, in/groups, kh, kw]`. */
export interface Conv2dNode extends ConvFields { readonly type: 'Conv2d' }
/** Fields of the 2-D pooling nodes over `[C, H, W]`. */
export interface Pool2dFields extends NodeBase {
  readonly kernelSize: readonly number[];
  readonly stride: readonly number[];
  readonly padding: readonly number[];
}
/** Sum pooling over `[C, H, W]`. */
export interface SumPool2dNode extends Pool2dFields { readonly type: 'SumPool2d' }
/** Average pooling over `[C, H, W]` (divides by the full kernel area, padding included). */
export interface AvgPool2dNode extends Pool2dFields { readonly type: 'AvgPool2d' }
/** Merges dims `startDim..endDim` (inclusive, negative from the end) of the unbatched input. */
export interface FlattenNode extends NodeBase {
  readonly type: 'Flatten';
  readonly startDim: number;
  readonly endDim: number;
  /** Input shape (optional in files; some write a placeholder). */
  readonly inputType?: readonly number[];
}
/** y(t) = x(t − delay), delay in seconds per element. */
export interface DelayNode extends NodeBase { readonly type: 'Delay'; readonly delay: Tensor }
/** y = H(x − θ): 1 where x > θ. */
export interface ThresholdNode extends NodeBase { readonly type: 'Threshold'; readonly threshold: Tensor }
/** Integrator: dv/dt = r·x; outputs v. */
export interface INode extends NodeBase { readonly type: 'I'; readonly r: Tensor }
/** Integrate-and-fire: dv/dt = r·x; spikes when v > v_threshold. */
export interface IFNode extends NodeBase {
  readonly type: 'IF';
  readonly r: Tensor;
  readonly vThreshold: Tensor;
  readonly vReset?: Tensor;
  /** spikelet extension (not stored in NIR): reset mode; the simulator/compiler option decides when absent. */
  readonly reset?: ResetMode;
}
/** Leaky integrator: τ dv/dt = (v_leak − v) + r·x; outputs v. */
export interface LINode extends NodeBase { readonly type: 'LI'; readonly tau: Tensor; readonly r: Tensor; readonly vLeak: Tensor }
/** Leaky integrate-and-fire. */
export interface LIFNode extends NodeBase {
  readonly type: 'LIF';
  readonly tau: Tensor;
  readonly r: Tensor;
  readonly vLeak: Tensor;
  readonly vThreshold: Tensor;
  readonly vReset?: Tensor;
  readonly reset?: ResetMode;
}
/** Current-based leaky integrator: τ_syn dI/dt = −I + w_in·x; τ_mem dv/dt = (v_leak − v) + r·I. */
export interface CubaLINode extends NodeBase {
  readonly type: 'CubaLI';
  readonly tauSyn: Tensor;
  readonly tauMem: Tensor;
  readonly r: Tensor;
  readonly vLeak: Tensor;
  readonly wIn?: Tensor;
}
/** Current-based LIF. */
export interface CubaLIFNode extends NodeBase {
  readonly type: 'CubaLIF';
  readonly tauSyn: Tensor;
  readonly tauMem: Tensor;
  readonly r: Tensor;
  readonly vLeak: Tensor;
  readonly vThreshold: Tensor;
  readonly vReset?: Tensor;
  readonly wIn?: Tensor;
  readonly reset?: ResetMode;
}
/** A nested graph; edges address its inner Input/Output nodes as `<name>.<inner>` (or `<name>` when it has one). */
export interface SubgraphNode extends NodeBase { readonly type: 'NIRGraph'; readonly graph: Graph }

/** Any node of a {@link Graph}. */
export type GraphNode =
  | InputNode | OutputNode | AffineNode | LinearNode | ScaleNode | Conv1dNode | Conv2dNode | SumPool2dNode
  | AvgPool2dNode | FlattenNode | DelayNode | ThresholdNode | INode | IFNode | LINode | LIFNode | CubaLINode
  | CubaLIFNode | SubgraphNode;

/** The NIR type name of a node. */
export type NodeType = GraphNode['type'];

/** An edge `[source, target]` by node name. */
export type Edge = readonly [string, string];

/** The in-memory model: nodes (in a stable order), edges, metadata. */
export interface Graph {
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly Edge[];
  /** Graph-level metadata (e.g. `{ dt: 1e-4 }`, the producer, the NIR writer's version string). */
  readonly metadata: Readonly<Record<string, unknown>>;
}

/** Node types that keep state across time steps (a cycle must pass through one of them). */
export const STATEFUL_TYPES: ReadonlySet<NodeType> = new Set<NodeType>(['Delay', 'I', 'IF', 'LI', 'LIF', 'CubaLI', 'CubaLIF']);

/** Node types that emit spikes. */
export const SPIKING_TYPES: ReadonlySet<NodeType> = new Set<NodeType>(['IF', 'LIF', 'CubaLIF', 'Threshold']);
