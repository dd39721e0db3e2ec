// Whole-graph checks: edges resolve, nested graphs flatten, cycles pass through state, shapes
// agree, and time constants are positive. `analyzeGraph` returns what it computed on the way,
// which the simulator, the lowering and `inspect` reuse.
import { SpikeletError } from '../errors.js';
import { flattenGraph, resolveEndpoint } from './flatten.js';
import { scheduleGraph, type Schedule } from './schedule.js';
import { inferShapes, type Shapes } from './shapes.js';
import type { Graph, Tensor } from './types.js';

/** A graph flattened for execution, with its schedule and shapes. */
export interface Analysis {
  readonly flat: Graph;
  readonly schedule: Schedule;
  readonly shapes: Shapes;
}

const POSITIVE: Readonly<Record<string, readonly [string, string][]>> = {
  LI: [['tau', 'tau']], LIF: [['tau', 'tau']],
  CubaLI: [['tauSyn', 'tau_syn'], ['tauMem', 'tau_mem']], CubaLIF: [['tauSyn', 'tau_syn'], ['tauMem', 'tau_mem']],
};

function checkValues(g: Graph, where: string, prefix: string): void {
  for (const n of g.nodes) {
    const at = `nodes.${prefix}${n.name}`;
    for (const [key, nir] of POSITIVE[n.type] ?? []) {
      const t = (n as unknown as Record<string, Tensor>)[key];
      const i = t.data.findIndex((v) => !(v > 0));
      if (i >= 0) throw new SpikeletError('invalid_param', where, `${at}.${nir}[${i}]`, 'a time constant > 0 (seconds)', t.data[i]);
    }
    if (n.type === 'Delay') {
      const i = n.delay.data.findIndex((v) => !(v >= 0));
      if (i >= 0) throw new SpikeletError('invalid_param', where, `${at}.delay[${i}]`, 'a delay >= 0 (seconds)', n.delay.data[i]);
    }
    if (n.type === 'NIRGraph') {
      checkValues(n.graph, where, `${prefix}${n.name}.`);
    }
  }
}

/**
 * Validates a graph and returns its flat form, schedule and shapes.
 * @param g The graph.
 * @param where API function named in error messages.
 * @throws SpikeletError naming the node and field at fault.
 */
export function analyzeGraph(g: Graph, where = 'analyzeGraph'): Analysis {
  g.edges.forEach(([a, b], i) => {
    resolveEndpoint(g, a, 'source', where, `edges[${i}][0]`);
    resolveEndpoint(g, b, 'target', where, `edges[${i}][1]`);
  });
  checkValues(g, where, '');
  const flat = flattenGraph(g, where);
  const schedule = scheduleGraph(flat, where);
  const shapes = inferShapes(flat, schedule, where);
  return { flat, schedule, shapes };
}

/**
 * Checks a graph; see {@link analyzeGraph}.
 * @throws SpikeletError naming the node and field at fault.
 */
export function validateGraph(g: Graph, where = 'validateGraph'): void {
  analyzeGraph(g, where);
}
