// NIR (HDF5) → Graph. The layout NIR writes:
//   /version                     string (the writer's package version, not a format version)
//   /node/type = "NIRGraph"
//   /node/nodes/<name>/type      string; then one dataset per field (src/graph/schema.ts)
//   /node/nodes/<name>/metadata  optional group of datasets
//   /node/edges                  (E, 2) strings [source, target]
// and a nested NIRGraph node has its own `nodes` and `edges`. The reader is tolerant where
// real exporters differ (docs/nir.md): any numeric dtype is cast (the dtype is remembered for
// re-export), 0-d / [1] / per-neuron parameters are all accepted, strings may be bytes,
// optional fields may be missing, gzip-compressed datasets are read by HDF5 itself.
import { SpikeletError } from '../../errors.js';
import { createGraph, type GraphInit, type NodeInit } from '../../graph/create.js';
import { NODE_FIELDS, NODE_TYPES, isNodeType } from '../../graph/schema.js';
import type { DType, Graph } from '../../graph/types.js';
import { loadH5, scratchPath, type H5Dataset, type H5Group, type H5wasmModule } from './h5.js';
import { hdf5StoredEnd } from './superblock.js';

/** Options of {@link readNir}. */
export interface ReadNirOptions {
  /**
   * Time step in seconds to record in `graph.metadata.dt`. NIR files do not store one; when
   * omitted, the simulator and `graphToNetwork` use 1e-4 s (the NIR paper's graphs).
   */
  readonly dt?: number;
}

const WHERE = 'readNir';
const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/** True when the bytes carry an HDF5 signature (at 0 or a power-of-two userblock offset ≥ 512). */
export function isHdf5(bytes: Uint8Array): boolean {
  return signatureAt(bytes) >= 0;
}

/** Offset of the HDF5 signature (0, 512, 1024, ...), or −1. */
function signatureAt(bytes: Uint8Array): number {
  for (let off = 0; off + 8 <= bytes.length; off = off === 0 ? 512 : off * 2) {
    if (HDF5_SIGNATURE.every((b, i) => bytes[off + i] === b)) return off;
    if (off > 1 << 20) break;
  }
  return -1;
}

function dtypeOf(ds: H5Dataset): DType | 'string' | 'other' {
  const m = ds.metadata;
  if (m.type === 3) return 'string';
  if (m.type === 1) return m.size === 8 ? 'float64' : 'float32';
  if (m.type === 0) {
    const bits = m.size * 8;
    return `${m.signed === false ? 'u' : ''}int${bits}` as DType;
  }
  return 'other';
}

const toNumber = (x: unknown): number => (typeof x === 'bigint' ? Number(x) : typeof x === 'boolean' ? Number(x) : x as number);

/** A dataset's value as a flat number array (bigints and booleans cast), or a string / string[]. */
function valueOf(ds: H5Dataset, path: string): { shape: number[]; numbers?: number[]; text?: string | string[] } {
  const shape = ds.shape ?? [];
  let v: unknown;
  try {
    v = ds.value;
  } catch (e) {
    throw new SpikeletError('bad_file', WHERE, path, 'a readable dataset', String((e as Error)?.message ?? e));
  }
  if (typeof v === 'string') return { shape, text: v };
  if (v instanceof Uint8Array && dtypeOf(ds) === 'string') return { shape, text: new TextDecoder().decode(v).replace(/\0+$/, '') };
  if (Array.isArray(v) && v.every((s) => typeof s === 'string')) return { shape, text: v as string[] };
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return { shape, numbers: [toNumber(v)] };
  if (ArrayBuffer.isView(v)) return { shape, numbers: Array.from(v as unknown as ArrayLike<number | bigint>, toNumber) };
  if (Array.isArray(v)) return { shape, numbers: (v.flat(8) as unknown[]).map(toNumber) };
  throw new SpikeletError('bad_file', WHERE, path, 'a numeric or string dataset', v);
}

function isGroup(h5: H5wasmModule, x: unknown): x is H5Group {
  return x instanceof (h5.Group as unknown as new () => H5Group);
}
function isDataset(h5: H5wasmModule, x: unknown): x is H5Dataset {
  return x instanceof (h5.Dataset as unknown as new () => H5Dataset);
}

function readString(h5: H5wasmModule, g: H5Group, name: string, path: string): string {
  const ds = g.get(name);
  if (!isDataset(h5, ds)) throw new SpikeletError('bad_file', WHERE, path, 'a string dataset', ds == null ? 'missing' : 'a group');
  const v = valueOf(ds, path);
  const s = Array.isArray(v.text) ? v.text[0] : v.text;
  if (typeof s !== 'string') throw new SpikeletError('bad_file', WHERE, path, 'a string', v.numbers ? `numbers [${v.numbers.slice(0, 4)}]` : v);
  return s;
}

function readMetadata(h5: H5wasmModule, g: H5Group, path: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of g.keys()) {
    const e = g.get(k);
    if (isGroup(h5, e)) out[k] = readMetadata(h5, e, `${path}.${k}`);
    else if (isDataset(h5, e)) {
      const v = valueOf(e, `${path}.${k}`);
      out[k] = v.text ?? (v.shape.length === 0 ? v.numbers![0] : v.numbers);
    }
  }
  return out;
}

function readNode(h5: H5wasmModule, g: H5Group, name: string, path: string): NodeInit {
  const type = readString(h5, g, 'type', `${path}.type`);
  if (!isNodeType(type)) throw new SpikeletError('unsupported', WHERE, `${path}.type`, `a NIR node type (${NODE_TYPES.join(', ')})`, type);
  const node: Record<string, unknown> = { name, type };
  if (type === 'NIRGraph') {
    node.graph = readGraphGroup(h5, g, path);
    return node as NodeInit;
  }
  const dtypes: Record<string, DType> = {};
  const extra: Record<string, unknown> = {};
  const known = new Map(NODE_FIELDS[type].map((f) => [f.nir, f]));
  for (const k of g.keys()) {
    if (k === 'type') continue;
    const e = g.get(k);
    const at = `${path}.${k}`;
    if (k === 'metadata' && isGroup(h5, e)) {
      const { spikelet_reset: reset, ...rest } = readMetadata(h5, e, at);
      if (reset === 'subtract' || reset === 'zero') node.reset = reset; // written by writeNir
      if (Object.keys(rest).length > 0) node.metadata = rest;
      continue;
    }
    if (!isDataset(h5, e)) continue; // unknown sub-groups carry nothing we can execute
    const f = known.get(k);
    const dt = dtypeOf(e);
    const v = valueOf(e, at);
    if (!f) {
      // Not part of the node type: kept verbatim so a re-export writes it back.
      extra[k] = v.text !== undefined ? (Array.isArray(v.text) ? v.text.join(',') : v.text) : { shape: v.shape, data: v.numbers };
      if (dt !== 'string' && dt !== 'other') dtypes[k] = dt;
      continue;
    }
    if (dt !== 'string' && dt !== 'other') dtypes[k] = dt;
    if (f.kind === 'padding' && v.text !== undefined) {
      node[f.key] = Array.isArray(v.text) ? v.text[0] : v.text;
      continue;
    }
    if (v.text !== undefined || v.numbers === undefined) {
      throw new SpikeletError('bad_file', WHERE, at, f.kind === 'tensor' ? 'a numeric dataset' : 'integers', v.text);
    }
    if (f.kind === 'tensor') node[f.key] = { shape: v.shape, data: v.numbers };
    else if (f.kind === 'int') {
      if (v.numbers.length !== 1) throw new SpikeletError('bad_file', WHERE, at, 'one integer', `[${v.shape}]`);
      node[f.key] = v.numbers[0];
    } else {
      if (v.shape.length > 1) throw new SpikeletError('bad_file', WHERE, at, 'a 0-d or 1-D integer dataset', `shape [${v.shape}]`);
      node[f.key] = v.numbers;
    }
  }
  if (Object.keys(dtypes).length > 0) node.dtypes = dtypes;
  if (Object.keys(extra).length > 0) node.extra = extra;
  return node as NodeInit;
}

function readEdges(h5: H5wasmModule, g: H5Group, path: string): [string, string][] {
  const e = g.get('edges');
  if (e == null) return [];
  if (!isDataset(h5, e)) throw new SpikeletError('bad_file', WHERE, `${path}.edges`, 'an (E, 2) string dataset', 'a group');
  const v = valueOf(e, `${path}.edges`);
  const flat = v.text === undefined ? undefined : Array.isArray(v.text) ? v.text : [v.text];
  if (flat === undefined || flat.length % 2 !== 0 || (v.shape.length === 2 && v.shape[1] !== 2)) {
    throw new SpikeletError('bad_file', WHERE, `${path}.edges`, 'an (E, 2) dataset of node names', v.text === undefined ? `numbers, shape [${v.shape}]` : `shape [${v.shape}]`);
  }
  const out: [string, string][] = [];
  for (let i = 0; i < flat.length; i += 2) out.push([flat[i], flat[i + 1]]);
  return out;
}

function readGraphGroup(h5: H5wasmModule, g: H5Group, path: string): GraphInit {
  const nodesG = g.get('nodes');
  if (!isGroup(h5, nodesG)) {
    throw new SpikeletError('bad_file', WHERE, `${path}.nodes`, 'a group of nodes', nodesG == null ? 'missing' : 'a dataset');
  }
  const nodes: NodeInit[] = [];
  for (const name of nodesG.keys()) {
    const ng = nodesG.get(name);
    if (!isGroup(h5, ng)) throw new SpikeletError('bad_file', WHERE, `${path === 'node' ? 'nodes' : path + '.nodes'}.${name}`, 'a node group', 'a dataset');
    nodes.push(readNode(h5, ng, name, `${path === 'node' ? 'nodes' : path + '.nodes'}.${name}`));
  }
  const metaG = g.get('metadata');
  const metadata = isGroup(h5, metaG) ? readMetadata(h5, metaG, `${path}.metadata`) : {};
  return { nodes, edges: readEdges(h5, g, path), metadata };
}

/**
 * Reads a NIR file into a Graph.
 * @param bytes The file's bytes.
 * @param options `dt` to record in the graph's metadata (NIR files do not store one).
 * @returns The graph (nested graphs kept as NIRGraph nodes); `metadata.nir_version` holds the
 *   file's `version` string.
 * @throws SpikeletError 'bad_file' (not HDF5, truncated, missing groups, wrong dataset types) or
 *   the graph validation's errors, naming the node and field.
 * @example
 * const graph = await readNir(new Uint8Array(readFileSync('model.nir')), { dt: 1e-3 });
 */
export async function readNir(bytes: Uint8Array | ArrayBuffer, options: ReadNirOptions = {}): Promise<Graph> {
  const u8 = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  const at = signatureAt(u8);
  if (at < 0) throw new SpikeletError('bad_file', WHERE, 'file', 'an HDF5 file (NIR)', `${u8.length} bytes without the HDF5 signature`);
  const end = hdf5StoredEnd(u8, at);
  if (end !== undefined && u8.length < end) {
    throw new SpikeletError('bad_file', WHERE, 'file', 'a complete HDF5 file',
      Number.isFinite(end) ? `${u8.length} of the ${end} bytes its superblock records` : `${u8.length} bytes, cut inside the superblock`);
  }
  const { h5, FS } = await loadH5(WHERE);
  const path = scratchPath();
  FS.writeFile(path, u8);
  let file: (H5Group & { close(): unknown }) | undefined;
  try {
    try {
      file = new h5.File(path, 'r');
    } catch (e) {
      throw new SpikeletError('bad_file', WHERE, 'file', 'a complete, readable HDF5 file', String((e as Error)?.message ?? e));
    }
    let root: H5Group;
    try {
      root = file.get('node') as H5Group;
    } catch (e) {
      throw new SpikeletError('bad_file', WHERE, 'node', 'a readable group', String((e as Error)?.message ?? e));
    }
    if (!isGroup(h5, root)) throw new SpikeletError('bad_file', WHERE, 'node', 'a group of type NIRGraph', root == null ? 'missing' : 'a dataset');
    const ver = file.get('version');
    const version = isDataset(h5, ver) ? valueOf(ver, 'version').text : undefined;
    let init: GraphInit;
    try {
      init = readGraphGroup(h5, root, 'node');
    } catch (e) {
      // HDF5 errors surface from h5wasm as plain Errors (or strings) when a file is damaged.
      if (e instanceof SpikeletError) throw e;
      throw new SpikeletError('bad_file', WHERE, 'file', 'a complete, readable HDF5 file', String((e as Error)?.message ?? e));
    }
    const metadata: Record<string, unknown> = { ...init.metadata };
    if (typeof version === 'string') metadata.nir_version = version;
    if (options.dt !== undefined) metadata.dt = options.dt;
    return createGraph({ ...init, metadata }, WHERE, true);
  } finally {
    try {
      file?.close();
    } catch { /* already closed */ }
    FS.unlink(path);
  }
}
