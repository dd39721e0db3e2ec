// The .spk deployment format (docs/spk-format.md).
export { writeSpk, type WriteSpkOptions } from './write.js';
export { readSpk, isSpk, type ReadSpkOptions } from './read.js';
export { crc32 } from './crc32.js';
export { SPK_MAGIC, SPK_VERSION, SPK_ALIGN, type SpkModel, type SpkTensorEntry, type SpkDType } from './format.js';
export { networkSkeleton, skeletonToSpec, type NetworkSkeleton, type LayerSkeleton } from './skeleton.js';
