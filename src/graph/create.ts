// Building a Graph from loose values (numbers, nested arrays, typed arrays), with every field
// checked against the schema. Readers (NIR, .spk) build their graphs through here too, so one
// set of checks guards every way into the Graph.
import { SpikeletError } from '../errors.js';
import { NODE_FIELDS, isNodeType, NODE_TYPES, type FieldSpec } from './schema.js';
import { toTensor, checkShape } from './tensor.js';
import type { DType, Edge, Graph, GraphNode, NodeType, Tensor } from './types.js';
import { validateGraph } from './validate.js';

/** A node given with loose values: `{ name, type, ...fields }` (field names as on {@link GraphNode}). */
export interface NodeInit {
  readonly name: string;
  readonly type: NodeType | string;
  readonly [field: string]: unknown;
}

/** A graph given with loose values. */
export interface GraphInit {
  readonly nodes: readonly NodeInit[];
  readonly edges: readonly (readonly [string, string])[];
  readonly metadata?: Readonly<Record<string, unknown>>;
}

const DTYPES: readonly DType[] = ['float32', 'float64', 'int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32', 'uint64'];

function intOf(where: string, field: string, x: unknown): number {
  const v = typeof x === 'bigint' ? Number(x) : x;
  if (typeof v !== 'number' || !Number.isInteger(v) || Math.abs(v) > 2 ** 31) {
    throw new SpikeletError('invalid_param', where, field, 'an integer', x);
  }
  return v;
}

function intsOf(where: string, field: string, x: unknown): number[] {
  if (typeof x === 'number' || typeof x === 'bigint') return [intOf(where, field, x)];
  const a = ArrayBuffer.isView(x) ? Array.from(x as unknown as ArrayLike<number>) : x;
  if (!Array.isArray(a) || a.length > 8) throw new SpikeletError('invalid_param', where, field, 'an array of at most 8 integers', x);
  return a.map((v, i) => intOf(where, `${field}[${i}]`, v));
}

/** Normalises one field value by its kind. */
function fieldValue(where: string, path: string, f: FieldSpec, x: unknown): unknown {
  switch (f.kind) {
    case 'tensor': return toTensor(x, where, path);
    case 'int': return intOf(where, path, Array.isArray(x) || ArrayBuffer.isView(x) ? (x as ArrayLike<unknown>)[0] : x);
    case 'ints': return f.key === 'shape' || f.key === 'inputShape' || f.key === 'inputType'
      ? [...checkShape(where, path, intsOf(where, path, x))] : intsOf(where, path, x);
    case 'padding':
      if (x === 'same' || x === 'valid') return x;
      if (typeof x === 'string') throw new SpikeletError('invalid_param', where, path, '"same", "valid" or integers', x);
      return intsOf(where, path, x);
  }
}

/**
 * Normalises one node: known fields by the schema, absent optional fields left out, absent
 * required fields an error (or the schema's fallback when `tolerant`).
 */
export function createNode(init: NodeInit, where = 'createGraph', tolerant = false): GraphNode {
  if (init === null || typeof init !== 'object') throw new SpikeletError('invalid_param', where, 'node', 'an object { name, type, ... }', init);
  const name = init.name;
  if (typeof name !== 'string' || name.length === 0 || name.length > 256) {
    throw new SpikeletError('invalid_param', where, 'node.name', 'a non-empty string of at most 256 characters', name);
  }
  const at = `nodes.${name}`;
  if (!isNodeType(init.type)) {
    throw new SpikeletError('unsupported', where, `${at}.type`, `one of ${NODE_TYPES.join(', ')}`, init.type);
  }
  const out: Record<string, unknown> = { name, type: init.type };
  for (const f of NODE_FIELDS[init.type]) {
    const x = init[f.key];
    if (x === undefined || x === null) {
      if (f.required && !(tolerant && f.fallback !== undefined)) {
        throw new SpikeletError('invalid_param', where, `${at}.${f.nir}`, `a value (required for ${init.type})`, x);
      }
      if (f.required) out[f.key] = fieldValue(where, `${at}.${f.nir}`, f, f.fallback);
      continue;
    }
    out[f.key] = fieldValue(where, `${at}.${f.nir}`, f, x);
  }
  if (init.type === 'NIRGraph') {
    const g = init.graph as Graph | GraphInit | undefined;
    if (g === undefined || g === null || typeof g !== 'object') {
      throw new SpikeletError('invalid_param', where, `${at}.graph`, 'a nested graph { nodes, edges }', g);
    }
    out.graph = createGraph(g, where, tolerant);
  }
  if (init.reset !== undefined) {
    if (init.reset !== 'zero' && init.reset !== 'subtract') throw new SpikeletError('invalid_param', where, `${at}.reset`, '"zero" or "subtract"', init.reset);
    if (init.type !== 'IF' && init.type !== 'LIF' && init.type !== 'CubaLIF') {
      throw new SpikeletError('invalid_param', where, `${at}.reset`, 'absent (only IF, LIF and CubaLIF spike)', init.reset);
    }
    out.reset = init.reset;
  }
  if (init.dtypes !== undefined) {
    const d = init.dtypes as Record<string, unknown>;
    for (const [k, v] of Object.entries(d)) {
      if (!DTYPES.includes(v as DType)) throw new SpikeletError('invalid_param', where, `${at}.dtypes.${k}`, `one of ${DTYPES.join(', ')}`, v);
    }
    out.dtypes = { ...d };
  }
  if (init.extra !== undefined) {
    const e: Record<string, Tensor | string> = {};
    for (const [k, v] of Object.entries(init.extra as Record<string, unknown>)) {
      e[k] = typeof v === 'string' ? v : toTensor(v, where, `${at}.${k}`);
    }
    out.extra = e;
  }
  if (init.metadata !== undefined) out.metadata = { ...(init.metadata as object) };
  return out as unknown as GraphNode;
}

/**
 * Builds and validates a Graph.
 * @param init Nodes (loose values accepted: numbers, nested arrays, typed arrays), edges, metadata.
 * @param where API function named in error messages.
 * @param tolerant Fill fields NIR requires but exporters drop (r = 1, v_leak = 0) instead of failing.
 * @returns A validated graph: known types, finite float32 parameters, edges between existing
 *   nodes, consistent shapes, and cycles only through stateful nodes.
 * @throws SpikeletError naming the node and field.
 * @example
 * const g = createGraph({
 *   nodes: [
 *     { name: 'in', type: 'Input', shape: [2] },
 *     { name: 'fc', type: 'Linear', weight: [[1, 0.5], [0, 1]] },
 *     { name: 'lif', type: 'LIF', tau: 0.01, r: 1, vLeak: 0, vThreshold: 1 },
 *     { name: 'out', type: 'Output', shape: [2] },
 *   ],
 *   edges: [['in', 'fc'], ['fc', 'lif'], ['lif', 'out']],
 * });
 */
export function createGraph(init: GraphInit | Graph, where = 'createGraph', tolerant = false): Graph {
  if (init === null || typeof init !== 'object' || !Array.isArray(init.nodes)) {
    throw new SpikeletError('invalid_param', where, 'graph.nodes', 'an array of nodes', (init as { nodes?: unknown } | null)?.nodes);
  }
  if (!Array.isArray(init.edges)) throw new SpikeletError('invalid_param', where, 'graph.edges', 'an array of [source, target] pairs', init.edges);
  const nodes = init.nodes.map((n) => createNode(n as NodeInit, where, tolerant));
  const seen = new Set<string>();
  for (const n of nodes) {
    if (seen.has(n.name)) throw new SpikeletError('invalid_param', where, `nodes.${n.name}`, 'a unique node name', n.name);
    seen.add(n.name);
  }
  const edges: Edge[] = init.edges.map((e, i) => {
    if (!Array.isArray(e) || e.length !== 2 || typeof e[0] !== 'string' || typeof e[1] !== 'string') {
      throw new SpikeletError('invalid_param', where, `edges[${i}]`, 'a pair [source, target] of node names', e);
    }
    return [e[0], e[1]] as const;
  });
  const metadata = init.metadata === undefined ? {} : { ...init.metadata };
  const g: Graph = { nodes, edges, metadata };
  validateGraph(g, where);
  return g;
}
