// Nested NIRGraph nodes are kept in the Graph (so a round trip writes them back), and flattened
// for execution: inner nodes are renamed `<subgraph>.<inner>`, and the subgraph's own Input and
// Output nodes, which only pass values through, are removed by wiring their neighbours together.
import { SpikeletError } from '../errors.js';
import type { Edge, Graph, GraphNode, SubgraphNode } from './types.js';

/** Where an edge endpoint lands: a node of this graph, or an Input/Output inside a subgraph. */
export interface Endpoint { readonly node: GraphNode; readonly inner?: string }

/**
 * Resolves an edge endpoint name: an exact node name first (names may contain dots), else
 * `<subgraph>.<inner>`, else a subgraph with one Input (as a target) or one Output (as a source).
 */
export function resolveEndpoint(g: Graph, name: string, role: 'source' | 'target', where: string, field: string): Endpoint {
  const exact = g.nodes.find((n) => n.name === name);
  if (exact && exact.type !== 'NIRGraph') return { node: exact };
  const want = role === 'target' ? 'Input' : 'Output';
  if (exact && exact.type === 'NIRGraph') {
    const ports = exact.graph.nodes.filter((n) => n.type === want);
    if (ports.length !== 1) {
      throw new SpikeletError('invalid_param', where, field, `"${name}.<${want} node>" (the subgraph has ${ports.length} ${want} nodes)`, name);
    }
    return { node: exact, inner: ports[0].name };
  }
  for (let i = name.indexOf('.'); i > 0; i = name.indexOf('.', i + 1)) {
    const sub = g.nodes.find((n) => n.name === name.slice(0, i));
    if (sub?.type === 'NIRGraph') {
      const inner = name.slice(i + 1);
      const port = sub.graph.nodes.find((n) => n.name === inner);
      if (!port) throw new SpikeletError('invalid_param', where, field, `a node of subgraph "${sub.name}"`, name);
      return { node: sub, inner };
    }
  }
  throw new SpikeletError('invalid_param', where, field, 'the name of a node of the graph', name);
}

/**
 * A graph without NIRGraph nodes, equivalent for execution.
 * @param g A graph (edges already checked by validation).
 * @param where API function named in error messages.
 */
export function flattenGraph(g: Graph, where = 'flattenGraph'): Graph {
  if (!g.nodes.some((n) => n.type === 'NIRGraph')) return g;
  const nodes: GraphNode[] = [];
  const edges: Edge[] = [];
  const pass = new Set<string>(); // names of removed pass-through ports
  const rename = (sub: SubgraphNode, inner: string) => `${sub.name}.${inner}`;
  for (const n of g.nodes) {
    if (n.type !== 'NIRGraph') {
      nodes.push(n);
      continue;
    }
    const inner = flattenGraph(n.graph, where);
    for (const m of inner.nodes) {
      const full = rename(n, m.name);
      if (m.type === 'Input' || m.type === 'Output') pass.add(full);
      else nodes.push({ ...m, name: full } as GraphNode);
    }
    for (const [a, b] of inner.edges) edges.push([rename(n, a), rename(n, b)]);
  }
  g.edges.forEach(([a, b], i) => {
    const s = resolveEndpoint(g, a, 'source', where, `edges[${i}][0]`);
    const t = resolveEndpoint(g, b, 'target', where, `edges[${i}][1]`);
    edges.push([s.inner ? `${s.node.name}.${s.inner}` : s.node.name, t.inner ? `${t.node.name}.${t.inner}` : t.node.name]);
  });
  // Remove each pass-through port, connecting its sources to its targets.
  let cur = edges;
  for (const p of pass) {
    const ins = cur.filter((e) => e[1] === p && e[0] !== p).map((e) => e[0]);
    const outs = cur.filter((e) => e[0] === p && e[1] !== p).map((e) => e[1]);
    cur = cur.filter((e) => e[0] !== p && e[1] !== p);
    for (const a of ins) for (const b of outs) cur.push([a, b]);
  }
  const seen = new Set<string>();
  const unique = cur.filter((e) => {
    const k = JSON.stringify(e);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  return { nodes, edges: unique, metadata: g.metadata };
}
