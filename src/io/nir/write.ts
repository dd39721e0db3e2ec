// Graph → NIR (HDF5), in the layout NIR's own writer produces (see read.ts): strings as
// variable-length UTF-8, float parameters as float32 (or the dtype a file was read with),
// integer fields (shapes, strides, paddings, groups, dims) as int64.
import { SpikeletError } from '../../errors.js';
import { NODE_FIELDS } from '../../graph/schema.js';
import { sizeOf } from '../../graph/tensor.js';
import type { DType, Graph, GraphNode, Tensor } from '../../graph/types.js';
import { validateGraph } from '../../graph/validate.js';
import { loadH5, scratchPath, type H5Group } from './h5.js';

/** Options of {@link writeNir}. */
export interface WriteNirOptions {
  /** gzip-compress numeric datasets with at least this many elements (level 4), as NIR's newer writer does. Default: off. */
  readonly compression?: 'gzip';
  /** The `version` string to write (default: the one the graph was read with, else '1.0.0'). */
  readonly version?: string;
}

const H5_DTYPE: Readonly<Record<DType, string>> = {
  float32: '<f', float64: '<d', int8: '<b', int16: '<h', int32: '<i', int64: '<q',
  uint8: '<B', uint16: '<H', uint32: '<I', uint64: '<Q',
};

function typedFor(dtype: DType, values: ArrayLike<number>): ArrayBufferView {
  switch (dtype) {
    case 'float32': return Float32Array.from(values);
    case 'float64': return Float64Array.from(values);
    case 'int8': return Int8Array.from(values);
    case 'int16': return Int16Array.from(values);
    case 'int32': return Int32Array.from(values);
    case 'uint8': return Uint8Array.from(values);
    case 'uint16': return Uint16Array.from(values);
    case 'uint32': return Uint32Array.from(values);
    case 'int64': return BigInt64Array.from(Array.from(values, (v) => BigInt(Math.round(v))));
    case 'uint64': return BigUint64Array.from(Array.from(values, (v) => BigInt(Math.round(v))));
  }
}

interface Ctx { readonly compress: boolean }

function numeric(ctx: Ctx, g: H5Group, name: string, values: ArrayLike<number>, shape: readonly number[], dtype: DType): void {
  const data = typedFor(dtype, values);
  const chunked = ctx.compress && shape.length > 0 && sizeOf(shape) >= 16;
  g.create_dataset({
    name, data, shape: [...shape], dtype: H5_DTYPE[dtype],
    ...(chunked ? { chunks: [...shape], compression: 'gzip' as const, compression_opts: 4 } : {}),
  });
}

function text(g: H5Group, name: string, s: string | readonly string[], shape?: readonly number[]): void {
  g.create_dataset({ name, data: typeof s === 'string' ? s : [...s], dtype: 'S', ...(shape ? { shape: [...shape] } : {}) });
}

function writeMetadata(g: H5Group, meta: Readonly<Record<string, unknown>>): void {
  for (const [k, v] of Object.entries(meta)) {
    if (typeof v === 'string') text(g, k, v);
    else if (typeof v === 'number') g.create_dataset({ name: k, data: Float64Array.of(v), shape: [], dtype: '<d' });
    else if (typeof v === 'boolean') g.create_dataset({ name: k, data: Int8Array.of(v ? 1 : 0), shape: [], dtype: '<b' });
    else if (Array.isArray(v) && v.every((x) => typeof x === 'number')) g.create_dataset({ name: k, data: Float64Array.from(v), shape: [v.length], dtype: '<d' });
    else if (Array.isArray(v) && v.every((x) => typeof x === 'string')) text(g, k, v, [v.length]);
    else if (v !== null && typeof v === 'object' && !Array.isArray(v)) writeMetadata(g.create_group(k), v as Record<string, unknown>);
    // Other values (null, mixed arrays) have no HDF5 form here and are dropped.
  }
}

function writeNode(ctx: Ctx, parent: H5Group, node: GraphNode): void {
  const g = parent.create_group(node.name);
  text(g, 'type', node.type);
  if (node.type === 'NIRGraph') {
    writeGraphGroup(ctx, g, node.graph);
    return;
  }
  const rec = node as unknown as Record<string, unknown>;
  const dtypes = node.dtypes ?? {};
  for (const f of NODE_FIELDS[node.type]) {
    const v = rec[f.key];
    if (v === undefined) continue;
    if (f.kind === 'tensor') {
      const t = v as Tensor;
      numeric(ctx, g, f.nir, t.data, t.shape, dtypes[f.nir] ?? 'float32');
    } else if (f.kind === 'int') {
      numeric(ctx, g, f.nir, [v as number], [], dtypes[f.nir] ?? 'int64');
    } else if (typeof v === 'string') {
      text(g, f.nir, v);
    } else {
      const a = v as readonly number[];
      numeric(ctx, g, f.nir, a, [a.length], dtypes[f.nir] ?? 'int64');
    }
  }
  for (const [k, v] of Object.entries(node.extra ?? {})) {
    if (typeof v === 'string') text(g, k, v);
    else numeric(ctx, g, k, v.data, v.shape, dtypes[k] ?? 'float32');
  }
  // NIR has no reset field; spikelet's reset mode travels in the node's metadata group so that
  // a network written here behaves the same when read back (other tools ignore it).
  const reset = 'reset' in node ? node.reset : undefined;
  const metadata = reset ? { ...node.metadata, spikelet_reset: reset } : node.metadata;
  if (metadata && Object.keys(metadata).length > 0) writeMetadata(g.create_group('metadata'), metadata);
}

function writeGraphGroup(ctx: Ctx, g: H5Group, graph: Graph): void {
  const nodes = g.create_group('nodes');
  for (const n of graph.nodes) writeNode(ctx, nodes, n);
  const flat = graph.edges.flatMap((e) => [e[0], e[1]]);
  text(g, 'edges', flat, [graph.edges.length, 2]);
}

/**
 * Writes a Graph as a NIR file.
 * @param graph The graph (validated first).
 * @param options gzip compression, the `version` string.
 * @returns The HDF5 file's bytes.
 * @example
 * writeFileSync('model.nir', await writeNir(graph));
 */
export async function writeNir(graph: Graph, options: WriteNirOptions = {}): Promise<Uint8Array> {
  validateGraph(graph, 'writeNir');
  if (options.compression !== undefined && options.compression !== 'gzip') {
    throw new SpikeletError('invalid_param', 'writeNir', 'compression', '"gzip" or undefined', options.compression);
  }
  const { h5, FS } = await loadH5('writeNir');
  const path = scratchPath();
  const file = new h5.File(path, 'w');
  try {
    const version = options.version ?? (typeof graph.metadata.nir_version === 'string' ? graph.metadata.nir_version : '1.0.0');
    text(file, 'version', version);
    const root = file.create_group('node');
    text(root, 'type', 'NIRGraph');
    writeGraphGroup({ compress: options.compression === 'gzip' }, root, graph);
    const meta = Object.fromEntries(Object.entries(graph.metadata).filter(([k]) => k !== 'nir_version'));
    if (Object.keys(meta).length > 0) writeMetadata(root.create_group('metadata'), meta);
  } finally {
    file.close();
  }
  try {
    return FS.readFile(path).slice();
  } finally {
    FS.unlink(path);
  }
}
