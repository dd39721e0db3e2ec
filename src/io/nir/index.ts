// NIR import/export (HDF5 via h5wasm).
export { readNir, isHdf5, type ReadNirOptions } from './read.js';
export { writeNir, type WriteNirOptions } from './write.js';
export { useH5wasm } from './h5.js';
