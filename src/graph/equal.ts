// Structural equality of two graphs (for round-trip tests and tools).
import { NODE_FIELDS } from './schema.js';
import { tensorsEqual } from './tensor.js';
import type { Graph, GraphNode, Tensor } from './types.js';

function valueEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined || a === null || b === null) return false;
  if (typeof a === 'object' && typeof b === 'object' && 'data' in a && 'data' in b) return tensorsEqual(a as Tensor, b as Tensor);
  return JSON.stringify(a) === JSON.stringify(b);
}

function nodesEqual(a: GraphNode, b: GraphNode): boolean {
  if (a.name !== b.name || a.type !== b.type) return false;
  if (a.type === 'NIRGraph' && b.type === 'NIRGraph') return graphsEqual(a.graph, b.graph);
  const ra = a as unknown as Record<string, unknown>, rb = b as unknown as Record<string, unknown>;
  for (const f of NODE_FIELDS[a.type]) if (!valueEqual(ra[f.key], rb[f.key])) return false;
  return ra.reset === rb.reset;
}

/**
 * True when two graphs have the same nodes (by name, any order), parameters (bit for bit,
 * same shapes) and edges (any order). Metadata and recorded dtypes are not compared.
 */
export function graphsEqual(a: Graph, b: Graph): boolean {
  if (a.nodes.length !== b.nodes.length || a.edges.length !== b.edges.length) return false;
  const nb = new Map(b.nodes.map((n) => [n.name, n]));
  for (const n of a.nodes) {
    const m = nb.get(n.name);
    if (!m || !nodesEqual(n, m)) return false;
  }
  const key = (e: readonly [string, string]) => JSON.stringify(e);
  const eb = new Set(b.edges.map(key));
  return a.edges.every((e) => eb.has(key(e)));
}
