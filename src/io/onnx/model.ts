// The imported ANN: a chain of float layers, the form `readOnnx` produces and the ANN runner
// (src/convert/ann.ts) and the converter (src/convert/convert.ts) consume. ONNX's tensors carry a
// batch dimension; here every shape is per sample (`[C, H, W]` or `[N]`), row-major, as the
// digits fixtures and PyTorch lay them out. BatchNormalization is already folded, Dropout /
// Identity / a final Softmax already removed (they are listed in `removed`).

/** Fields every layer carries. */
export interface AnnLayerBase {
  /** Name of the ONNX node the layer came from (the first, when several were fused). */
  readonly name: string;
  /** Name of the ONNX tensor the layer produces (after fusion: the last fused node's output). */
  readonly output: string;
  /** Per-sample input and output shapes. */
  readonly inShape: readonly number[];
  readonly outShape: readonly number[];
}

/** `y = W x + b`, W row-major `[out, in]` (Gemm, or MatMul + Add, with any BatchNormalization folded). */
export interface AnnDense extends AnnLayerBase {
  readonly op: 'dense';
  readonly weight: Float32Array;
  readonly bias: Float32Array;
  readonly inFeatures: number;
  readonly outFeatures: number;
}

/** 2-D convolution, weight `[outC, inC/group, kh, kw]`, pads `[top, left, bottom, right]`. */
export interface AnnConv extends AnnLayerBase {
  readonly op: 'conv';
  readonly weight: Float32Array;
  readonly bias: Float32Array;
  readonly kernel: readonly [number, number];
  readonly stride: readonly [number, number];
  readonly pads: readonly [number, number, number, number];
  readonly dilation: readonly [number, number];
  readonly group: number;
}

/** max(x, 0). */
export interface AnnRelu extends AnnLayerBase { readonly op: 'relu' }

/** Average or max pooling over `[C, H, W]`, pads `[top, left, bottom, right]`. */
export interface AnnPool extends AnnLayerBase {
  readonly op: 'avgpool' | 'maxpool';
  readonly kernel: readonly [number, number];
  readonly stride: readonly [number, number];
  readonly pads: readonly [number, number, number, number];
  /** avgpool: divide by the whole window (padding included) or by the valid elements only. */
  readonly countIncludePad: boolean;
}

/** Mean over each channel's H×W. */
export interface AnnGlobalAvgPool extends AnnLayerBase { readonly op: 'globalavgpool' }

/** Constant padding of H and W, pads `[top, left, bottom, right]`. */
export interface AnnPad extends AnnLayerBase {
  readonly op: 'pad';
  readonly pads: readonly [number, number, number, number];
  readonly value: number;
}

/** A change of shape that moves nothing in row-major memory (Flatten, Reshape). */
export interface AnnReshape extends AnnLayerBase { readonly op: 'reshape' }

/** One layer of an {@link AnnModel}. */
export type AnnLayer = AnnDense | AnnConv | AnnRelu | AnnPool | AnnGlobalAvgPool | AnnPad | AnnReshape;

/** A feed-forward float network imported from ONNX. */
export interface AnnModel {
  /** Name of the graph input and output tensors. */
  readonly inputName: string;
  readonly outputName: string;
  /** Per-sample input shape, e.g. `[64]` or `[1, 8, 8]`. */
  readonly inputShape: readonly number[];
  readonly outputShape: readonly number[];
  readonly layers: readonly AnnLayer[];
  /** Default-domain opset the file declares. */
  readonly opset: number;
  /** `producer_name producer_version` from the file. */
  readonly producer: string;
  /** Nodes dropped because they do nothing at inference (`"name (OpType)"`), BatchNormalizations folded. */
  readonly removed: readonly string[];
}

/** Number of elements of a per-sample shape. */
export function shapeSize(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}
