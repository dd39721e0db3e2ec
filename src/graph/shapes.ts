// Shape inference over a flat, scheduled graph. Shapes exclude time and batch. Exporters bake
// a batch dimension of 1 into some shapes ([1, 2, 34, 34], Output [1, 1, 1]): such leading 1s
// are dropped where a node needs a given rank, and Output shapes are compared by element count.
import { SpikeletError } from '../errors.js';
import { geometry, type Geometry } from './geometry.js';
import { NODE_FIELDS } from './schema.js';
import type { Schedule } from './schedule.js';
import { sizeOf } from './tensor.js';
import type { Conv1dNode, Conv2dNode, Graph, GraphNode, Tensor } from './types.js';

/** Input and output shape of every node of a flat graph. */
export interface Shapes {
  readonly input: ReadonlyMap<string, readonly number[]>;
  readonly output: ReadonlyMap<string, readonly number[]>;
  /** Geometry of each Conv/Pool node. */
  readonly geometry: ReadonlyMap<string, Geometry>;
}

/** Drops leading 1s until `shape` has `rank` dimensions (a baked-in batch dimension). */
export function squeezeTo(shape: readonly number[], rank: number): readonly number[] {
  let s = shape;
  while (s.length > rank && s[0] === 1) s = s.slice(1);
  return s;
}

/** `[C, ...spatial]` of a conv input: by rank, or by the node's own `input_shape`. */
function spatialInput(where: string, n: Conv1dNode | Conv2dNode, s: readonly number[], dims: number, cin: number): readonly number[] {
  const sq = squeezeTo(s, dims + 1);
  if (sq.length === dims + 1) {
    if (sq[0] !== cin) throw new SpikeletError('shape_mismatch', where, `nodes.${n.name}.weight.shape[1]`, `${sq[0]} / groups (input channels of [${sq}])`, n.weight.shape[1]);
    return sq;
  }
  if (n.inputShape && n.inputShape.length === dims && sizeOf(n.inputShape) * cin === sizeOf(s)) return [cin, ...n.inputShape];
  throw new SpikeletError('shape_mismatch', where, `nodes.${n.name}.input`, `a [C, ${dims === 2 ? 'H, W' : 'L'}] input`, `[${s}]`);
}

function checkRank(where: string, node: string, field: string, t: Tensor, rank: number): void {
  if (t.shape.length !== rank) throw new SpikeletError('shape_mismatch', where, `nodes.${node}.${field}.shape`, `${rank} dimensions`, `[${t.shape}]`);
}

/** Size of the element-wise node's population from its parameters, checked against `n` when known. */
function elementwise(where: string, node: GraphNode, n: number | undefined): readonly number[] | undefined {
  let shape: readonly number[] | undefined;
  for (const f of NODE_FIELDS[node.type]) {
    const t = (node as unknown as Record<string, Tensor | undefined>)[f.key];
    if (f.kind !== 'tensor' || t === undefined) continue;
    const k = t.data.length;
    if (n !== undefined && k !== 1 && k !== n) {
      throw new SpikeletError('shape_mismatch', where, `nodes.${node.name}.${f.nir}.shape`, `[] or [1] or ${n} elements (the input size)`, `[${t.shape}]`);
    }
    if (k !== 1 && (shape === undefined || sizeOf(shape) === 1)) shape = t.shape;
    if (shape !== undefined && k !== 1 && k !== sizeOf(shape)) {
      throw new SpikeletError('shape_mismatch', where, `nodes.${node.name}.${f.nir}.shape`, `[${shape}] (as the node's other parameters)`, `[${t.shape}]`);
    }
  }
  return shape;
}

/**
 * Infers every node's shapes and checks parameters against them.
 * @throws SpikeletError naming the node and field whose shape disagrees.
 */
export function inferShapes(g: Graph, sched: Schedule, where = 'inferShapes'): Shapes {
  const byName = new Map(g.nodes.map((n) => [n.name, n]));
  const input = new Map<string, readonly number[]>();
  const output = new Map<string, readonly number[]>();
  const geo = new Map<string, Geometry>();
  for (const name of sched.order) {
    const node = byName.get(name)!;
    let inShape: readonly number[] | undefined;
    for (const { source, delayed } of sched.inputs.get(name)!) {
      if (delayed) continue;
      const s = output.get(source)!;
      if (inShape === undefined) inShape = s;
      else if (sizeOf(s) !== sizeOf(inShape)) {
        throw new SpikeletError('shape_mismatch', where, `nodes.${name}.input`, `inputs of one size (summed): [${inShape}]`, `[${s}] from ${source}`);
      }
    }
    if (inShape !== undefined) input.set(name, inShape);
    const out = nodeOutput(where, node, inShape, geo);
    output.set(name, out);
  }
  // Delayed edges: their source's shape is known only now.
  for (const [a, b] of g.edges) {
    const want = input.get(b);
    const have = output.get(a)!;
    if (want !== undefined && sizeOf(want) !== sizeOf(have) && byName.get(b)!.type !== 'Affine' && byName.get(b)!.type !== 'Linear') {
      throw new SpikeletError('shape_mismatch', where, `nodes.${b}.input`, `${sizeOf(want)} elements`, `[${have}] from ${a}`);
    }
    const t = byName.get(b)!;
    if ((t.type === 'Affine' || t.type === 'Linear') && sizeOf(have) !== t.weight.shape[1]) {
      throw new SpikeletError('shape_mismatch', where, `nodes.${b}.weight.shape[1]`, `${sizeOf(have)} (the size of [${have}] from ${a})`, t.weight.shape[1]);
    }
  }
  return { input, output, geometry: geo };
}

function nodeOutput(where: string, node: GraphNode, s: readonly number[] | undefined, geo: Map<string, Geometry>): readonly number[] {
  const n = s === undefined ? undefined : sizeOf(s);
  const at = `nodes.${node.name}`;
  switch (node.type) {
    case 'Input':
      return node.shape;
    case 'Output':
      if (s !== undefined && sizeOf(node.shape) !== n) {
        throw new SpikeletError('shape_mismatch', where, `${at}.shape`, `${n} elements (its input is [${s}])`, `[${node.shape}]`);
      }
      return s ?? node.shape;
    case 'Affine':
    case 'Linear': {
      checkRank(where, node.name, 'weight', node.weight, 2);
      const [o, i] = node.weight.shape;
      if (n !== undefined && n !== i) throw new SpikeletError('shape_mismatch', where, `${at}.weight.shape[1]`, `${n} (the size of its input [${s}])`, i);
      if (node.type === 'Affine' && node.bias.data.length !== o && node.bias.data.length !== 1) {
        throw new SpikeletError('shape_mismatch', where, `${at}.bias.shape`, `[${o}] (weight rows)`, `[${node.bias.shape}]`);
      }
      return [o];
    }
    case 'Conv1d':
    case 'Conv2d': {
      const dims = node.type === 'Conv2d' ? 2 : 1;
      checkRank(where, node.name, 'weight', node.weight, dims + 2);
      const groups = node.groups ?? 1;
      const cout = node.weight.shape[0];
      if (groups < 1 || cout % groups !== 0) throw new SpikeletError('invalid_param', where, `${at}.groups`, `a positive divisor of ${cout} (out channels)`, groups);
      if (node.bias && node.bias.data.length !== cout && node.bias.data.length !== 1) {
        throw new SpikeletError('shape_mismatch', where, `${at}.bias.shape`, `[${cout}] (out channels)`, `[${node.bias.shape}]`);
      }
      const cin = node.weight.shape[1] * groups;
      const inS = s !== undefined ? spatialInput(where, node, s, dims, cin)
        : node.inputShape ? [cin, ...node.inputShape] : undefined;
      if (inS === undefined) throw new SpikeletError('shape_mismatch', where, `${at}.input_shape`, 'an input edge or an input_shape', undefined);
      const g = geometry(where, node.name, inS.slice(1), node.weight.shape.slice(2), node.stride, node.padding, node.dilation);
      geo.set(node.name, g);
      return [cout, ...g.outSize];
    }
    case 'SumPool2d':
    case 'AvgPool2d': {
      if (node.kernelSize.length !== 2 && node.kernelSize.length !== 1) {
        throw new SpikeletError('shape_mismatch', where, `${at}.kernel_size`, '1 or 2 values', node.kernelSize.length);
      }
      const k = node.kernelSize.length === 1 ? [node.kernelSize[0], node.kernelSize[0]] : node.kernelSize;
      const inS = s === undefined ? undefined : squeezeTo(s, 3);
      if (inS === undefined || inS.length !== 3) throw new SpikeletError('shape_mismatch', where, `${at}.input`, 'a [C, H, W] input', s && `[${s}]`);
      const g = geometry(where, node.name, inS.slice(1), k, node.stride, node.padding, undefined, k);
      geo.set(node.name, g);
      return [inS[0], ...g.outSize];
    }
    case 'Flatten': {
      if (s === undefined) {
        if (node.inputType) return [sizeOf(node.inputType)];
        throw new SpikeletError('shape_mismatch', where, `${at}.input_type`, 'an input edge or an input_type', undefined);
      }
      let x = s;
      if (node.inputType && sizeOf(node.inputType) === n) x = node.inputType.length > 0 ? node.inputType : s;
      const r = x.length;
      const a = node.startDim < 0 ? node.startDim + r : node.startDim;
      const b = node.endDim < 0 ? node.endDim + r : node.endDim;
      if (a < 0 || b >= r || a > b) return x; // nothing to merge (e.g. start_dim 1 of a 1-D input)
      return [...x.slice(0, a), sizeOf(x.slice(a, b + 1)), ...x.slice(b + 1)];
    }
    case 'NIRGraph':
      throw new SpikeletError('invalid_param', where, at, 'a flat graph (call flattenGraph first)', 'NIRGraph');
    default: {
      const p = elementwise(where, node, n);
      if (s !== undefined) return s;
      return p ?? [1];
    }
  }
}
