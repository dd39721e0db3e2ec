// ONNX import (a feed-forward ANN, decoded with onnx-proto / protobufjs).
export { readOnnx, isOnnx, ONNX_SUPPORTED_OPS, ONNX_OPSET_RANGE, type ReadOnnxOptions } from './read.js';
export { useOnnxProto } from './proto.js';
export {
  shapeSize, type AnnModel, type AnnLayer, type AnnLayerBase, type AnnDense, type AnnConv, type AnnRelu, type AnnPool,
  type AnnGlobalAvgPool, type AnnPad, type AnnReshape,
} from './model.js';
