// Execution order of a flat graph. NIR allows cycles (recurrent connections); a cycle is
// meaningful only when it passes through a node with state, whose output at step t−1 closes
// the loop. We check exactly that (removing every edge that leaves a stateful node must leave
// no cycle), then order the nodes depth-first from the inputs: the edges that close a cycle in
// that order ("back edges") carry the previous step's value, and every other edge the current
// one. Each cycle therefore has exactly one step of delay, wherever it is entered.
import { SpikeletError } from '../errors.js';
import { STATEFUL_TYPES, type Graph } from './types.js';

/** An input of a node in the schedule. */
export interface ScheduledInput {
  readonly source: string;
  /** True when the edge closes a cycle: it carries the source's output of the previous step. */
  readonly delayed: boolean;
}

/** Order of evaluation within one time step. */
export interface Schedule {
  /** Node names, each after all its non-delayed sources. */
  readonly order: readonly string[];
  /** Inputs of each node (summed). */
  readonly inputs: ReadonlyMap<string, readonly ScheduledInput[]>;
  /** Number of delayed (recurrent) edges. */
  readonly delayedEdges: number;
}

/**
 * Checks the edges of a flat graph and computes its schedule.
 * @throws SpikeletError on edges to unknown nodes or a cycle without a stateful node.
 */
export function scheduleGraph(g: Graph, where = 'schedule'): Schedule {
  const byName = new Map(g.nodes.map((n) => [n.name, n]));
  const succ = new Map<string, number[]>(g.nodes.map((n) => [n.name, []]));
  g.edges.forEach(([a, b], i) => {
    if (!byName.has(a)) throw new SpikeletError('invalid_param', where, `edges[${i}][0]`, 'the name of a node of the graph', a);
    if (!byName.has(b)) throw new SpikeletError('invalid_param', where, `edges[${i}][1]`, 'the name of a node of the graph', b);
    if (byName.get(b)!.type === 'Input') throw new SpikeletError('invalid_param', where, `edges[${i}][1]`, 'a node that is not an Input (Inputs take no edges)', b);
    if (byName.get(a)!.type === 'Output') throw new SpikeletError('invalid_param', where, `edges[${i}][0]`, 'a node that is not an Output (Outputs feed nothing)', a);
    succ.get(a)!.push(i);
  });
  checkStatefulCycles(g, where);

  // Depth-first from the inputs; back edges are the delayed ones.
  const state = new Map<string, 0 | 1 | 2>(); // 0 new, 1 on stack, 2 done
  const post: string[] = [];
  const delayed = new Set<number>();
  const visit = (root: string) => {
    const stack: [string, number][] = [[root, 0]];
    state.set(root, 1);
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      const out = succ.get(top[0])!;
      if (top[1] < out.length) {
        const e = out[top[1]++];
        const v = g.edges[e][1];
        const s = state.get(v) ?? 0;
        if (s === 1) delayed.add(e);
        else if (s === 0) {
          state.set(v, 1);
          stack.push([v, 0]);
        }
      } else {
        state.set(top[0], 2);
        post.push(top[0]);
        stack.pop();
      }
    }
  };
  for (const n of g.nodes) if (n.type === 'Input' && !state.get(n.name)) visit(n.name);
  for (const n of g.nodes) if (!state.get(n.name)) visit(n.name);
  const order = post.reverse();
  const inputs = new Map<string, ScheduledInput[]>(g.nodes.map((n) => [n.name, []]));
  g.edges.forEach(([a, b], i) => inputs.get(b)!.push({ source: a, delayed: delayed.has(i) }));
  return { order, inputs, delayedEdges: delayed.size };
}

/** Throws when some cycle passes through no stateful node. */
function checkStatefulCycles(g: Graph, where: string): void {
  const stateful = new Set(g.nodes.filter((n) => STATEFUL_TYPES.has(n.type)).map((n) => n.name));
  const indeg = new Map<string, number>(g.nodes.map((n) => [n.name, 0]));
  const kept = g.edges.filter(([a]) => !stateful.has(a));
  for (const [, b] of kept) indeg.set(b, indeg.get(b)! + 1);
  const queue = g.nodes.map((n) => n.name).filter((n) => indeg.get(n) === 0);
  let done = 0;
  while (queue.length > 0) {
    const a = queue.pop()!;
    done++;
    for (const [s, b] of kept) {
      if (s !== a) continue;
      indeg.set(b, indeg.get(b)! - 1);
      if (indeg.get(b) === 0) queue.push(b);
    }
  }
  if (done === g.nodes.length) return;
  // Walk back along remaining edges to name one offending cycle.
  const left = new Set([...indeg].filter(([, d]) => d > 0).map(([n]) => n));
  let cur = [...left][0];
  const path: string[] = [];
  while (!path.includes(cur)) {
    path.push(cur);
    cur = kept.find(([a, b]) => b === cur && left.has(a))![0];
  }
  const cycle = path.slice(path.indexOf(cur)).reverse();
  throw new SpikeletError('invalid_param', where, 'edges',
    'cycles only through stateful nodes (Delay, I, IF, LI, LIF, CubaLI, CubaLIF)', `a cycle ${[...cycle, cycle[0]].join(' → ')}`);
}
