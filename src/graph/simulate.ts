// The reference semantics of a Graph: a plain TypeScript float simulator of NIR's ODEs, one
// forward-Euler step of dt per time step (the constants of src/runtime/cells.ts):
//   LI/LIF:        v ← α·v + β·x + γ,      α = 1 − dt/τ, β = dt·r/τ, γ = dt·v_leak/τ
//   I/IF:          v ← v + (dt·r)·x
//   CubaLI/LIF:    I ← α_s·I + β_s·x,      α_s = 1 − dt/τ_syn, β_s = dt·w_in/τ_syn; then v as LIF with x = I
//   spiking cells: fire when v > v_threshold after the update, then reset in the same step:
//                  'zero' (NIR's definition, Norse's LIFBox): v ← v_reset;
//                  'subtract' (Sinabs, snnTorch default): v ← v − (v_threshold − v_reset).
// State and constants are float32 and each update rounds in the same order as the f32 kernels
// (assembly/neuron/lif_f32.ts), so a compiled f32 Plan and this simulator agree closely (sums
// over inputs are accumulated in float64 here, in float32 SIMD lanes there).
// Edges that close a cycle carry the previous step's output (src/graph/schedule.ts).
import { SpikeletError } from '../errors.js';
import type { Geometry } from './geometry.js';
import { analyzeGraph } from './validate.js';
import { expand, sizeOf } from './tensor.js';
import type { Graph, GraphNode, ResetMode } from './types.js';

/** Time step assumed for NIR graphs that do not state one (the NIR paper's graphs use 0.1 ms). */
export const NIR_DEFAULT_DT = 1e-4;

/** Options of {@link Simulator}. */
export interface SimulateOptions {
  /** Time step in seconds (default: `graph.metadata.dt` when a number, else {@link NIR_DEFAULT_DT}). */
  readonly dt?: number;
  /** Reset of spiking nodes without their own `reset` (default 'zero', as NIR defines it). */
  readonly reset?: ResetMode;
  /** Also record every node's output (default false: Output nodes only). */
  readonly recordAll?: boolean;
}

/** Result of {@link simulate}: per Output node (and per node with `recordAll`), time-major `[T, n]`. */
export interface SimulationResult {
  readonly steps: number;
  readonly outputs: Readonly<Record<string, Float32Array>>;
  readonly nodes?: Readonly<Record<string, Float32Array>>;
}

type Op = (x: Float32Array, out: Float32Array) => void;

const f = Math.fround;

/** The dt a graph runs with: the option, else `metadata.dt`, else {@link NIR_DEFAULT_DT}. */
export function graphDt(graph: Graph, dt?: number): number {
  const d = dt ?? (typeof graph.metadata.dt === 'number' ? graph.metadata.dt : NIR_DEFAULT_DT);
  if (typeof d !== 'number' || !Number.isFinite(d) || d <= 0) throw new SpikeletError('invalid_param', 'simulate', 'dt', 'a finite number > 0 (seconds)', d);
  return d;
}

/** Steps a Graph in float32, one node at a time in schedule order. */
export class Simulator {
  /** Time step in seconds. */
  readonly dt: number;
  /** Names of the Input nodes, in graph order. */
  readonly inputNames: readonly string[];
  /** Names of the Output nodes, in graph order. */
  readonly outputNames: readonly string[];
  /** Element count of each Input / Output node. */
  readonly sizes: ReadonlyMap<string, number>;
  private readonly order: { name: string; op: Op; x: Float32Array; out: Float32Array; ins: { src: string; delayed: boolean }[] }[];
  private readonly out = new Map<string, Float32Array>();
  private readonly prev = new Map<string, Float32Array>();
  private readonly resets: (() => void)[] = [];
  private readonly membranes = new Map<string, Float32Array>();

  /**
   * @param graph A graph (validated here).
   * @param options dt, default reset mode.
   */
  constructor(graph: Graph, readonly options: SimulateOptions = {}) {
    const { flat, schedule, shapes } = analyzeGraph(graph, 'simulate');
    this.dt = graphDt(graph, options.dt);
    const reset = options.reset ?? 'zero';
    if (reset !== 'zero' && reset !== 'subtract') throw new SpikeletError('invalid_param', 'simulate', 'reset', '"zero" or "subtract"', reset);
    const byName = new Map(flat.nodes.map((n) => [n.name, n]));
    const sizes = new Map<string, number>();
    this.inputNames = flat.nodes.filter((n) => n.type === 'Input').map((n) => n.name);
    this.outputNames = flat.nodes.filter((n) => n.type === 'Output').map((n) => n.name);
    for (const n of flat.nodes) this.out.set(n.name, new Float32Array(sizeOf(shapes.output.get(n.name)!)));
    for (const n of [...this.inputNames, ...this.outputNames]) sizes.set(n, this.out.get(n)!.length);
    this.sizes = sizes;
    this.order = schedule.order.map((name) => {
      const node = byName.get(name)!;
      const ins = schedule.inputs.get(name)!.map((i) => ({ src: i.source, delayed: i.delayed }));
      for (const i of ins) if (i.delayed && !this.prev.has(i.src)) this.prev.set(i.src, new Float32Array(this.out.get(i.src)!.length));
      const inShape = shapes.input.get(name);
      const nOut = this.out.get(name)!.length;
      // Input size: from shape inference; for a node fed only by delayed edges, from its source;
      // for a node without inputs, what its op reads (zeros).
      const nX = inShape ? sizeOf(inShape)
        : ins.length > 0 ? this.out.get(ins[0].src)!.length
        : node.type === 'Affine' || node.type === 'Linear' ? node.weight.shape[1]
        : node.type === 'Input' ? 0 : nOut;
      const x = new Float32Array(nX);
      return { name, ins, x, out: this.out.get(name)!, op: this.makeOp(node, x.length, this.out.get(name)!.length, shapes.geometry.get(name), node.type === 'IF' || node.type === 'LIF' || node.type === 'CubaLIF' ? node.reset ?? reset : reset) };
    });
  }

  /** Zeroes every state and output. */
  reset(): void {
    for (const a of this.out.values()) a.fill(0);
    for (const a of this.prev.values()) a.fill(0);
    for (const r of this.resets) r();
  }

  /**
   * Advances one time step.
   * @param input Values of the single Input node, or a record by Input name.
   * @returns The value of every Output node (views, overwritten by the next step).
   */
  step(input: Float32Array | readonly number[] | Readonly<Record<string, Float32Array | readonly number[]>>): Readonly<Record<string, Float32Array>> {
    const given = ArrayBuffer.isView(input) || Array.isArray(input)
      ? (this.inputNames.length === 1 ? { [this.inputNames[0]]: input as Float32Array } : undefined)
      : input as Record<string, Float32Array>;
    if (given === undefined) {
      throw new SpikeletError('invalid_param', 'Simulator.step', 'input', `a record by Input name (${this.inputNames.join(', ')})`, input);
    }
    for (const name of this.inputNames) {
      const v = given[name];
      const o = this.out.get(name)!;
      if (v === undefined || v.length !== o.length) {
        throw new SpikeletError('shape_mismatch', 'Simulator.step', `input.${name}.length`, `${o.length}`, v === undefined ? v : v.length);
      }
      o.set(v);
    }
    for (const [src, p] of this.prev) p.set(this.out.get(src)!);
    for (const s of this.order) {
      if (s.ins.length === 0) {
        s.op(s.x, s.out); // Input: no-op; others: driven by their constants only
        continue;
      }
      const x = s.x;
      x.fill(0);
      if (s.ins.length === 1) x.set(s.ins[0].delayed ? this.prev.get(s.ins[0].src)! : this.out.get(s.ins[0].src)!);
      else {
        for (const i of s.ins) {
          const a = i.delayed ? this.prev.get(i.src)! : this.out.get(i.src)!;
          for (let k = 0; k < x.length; k++) x[k] += a[k];
        }
      }
      s.op(x, s.out);
    }
    const res: Record<string, Float32Array> = {};
    for (const o of this.outputNames) res[o] = this.out.get(o)!;
    return res;
  }

  /** The output of any node (flat name) after the last step. */
  nodeOutput(name: string): Float32Array {
    const o = this.out.get(name);
    if (!o) throw new SpikeletError('invalid_param', 'Simulator.nodeOutput', 'name', 'the name of a node of the flattened graph', name);
    return o.slice();
  }

  private makeOp(node: GraphNode, nIn: number, n: number, geo: Geometry | undefined, reset: ResetMode): Op {
    const where = 'simulate';
    const dt = this.dt;
    const at = `nodes.${node.name}`;
    switch (node.type) {
      case 'Input':
        return () => {};
      case 'Output':
      case 'Flatten':
        return (x, out) => out.set(x);
      case 'Affine':
      case 'Linear': {
        const w = node.weight.data;
        nIn = node.weight.shape[1];
        const b = node.type === 'Affine' ? expand(node.bias, n, 0, where, `${at}.bias`) : undefined;
        return (x, out) => {
          for (let o = 0; o < n; o++) {
            let acc = 0;
            const row = o * nIn;
            for (let i = 0; i < nIn; i++) if (x[i] !== 0) acc += w[row + i] * x[i];
            out[o] = b ? acc + b[o] : acc;
          }
        };
      }
      case 'Scale': {
        const s = expand(node.scale, n, 1, where, `${at}.scale`);
        return (x, out) => { for (let i = 0; i < n; i++) out[i] = x[i] * s[i]; };
      }
      case 'Threshold': {
        const th = expand(node.threshold, n, 0, where, `${at}.threshold`);
        return (x, out) => { for (let i = 0; i < n; i++) out[i] = x[i] > th[i] ? 1 : 0; };
      }
      case 'Delay': {
        const d = Array.from(expand(node.delay, n, 0, where, `${at}.delay`), (v) => Math.round(v / dt));
        const depth = Math.max(1, ...d);
        const ring = new Float32Array(depth * n);
        let t = 0;
        this.resets.push(() => { ring.fill(0); t = 0; });
        return (x, out) => {
          for (let i = 0; i < n; i++) {
            if (d[i] === 0) { out[i] = x[i]; continue; }
            const slot = ((t - d[i]) % depth + depth) % depth;
            out[i] = ring[slot * n + i];
          }
          ring.set(x, (t % depth) * n);
          t++;
        };
      }
      case 'Conv1d':
      case 'Conv2d':
        return convOp(node, geo!, n);
      case 'SumPool2d':
      case 'AvgPool2d':
        return poolOp(node.type === 'AvgPool2d', geo!, n);
      case 'NIRGraph':
        throw new SpikeletError('invalid_param', where, at, 'a flat graph', 'NIRGraph');
      default:
        return this.cellOp(node, n, reset);
    }
  }

  private cellOp(node: Extract<GraphNode, { type: 'I' | 'IF' | 'LI' | 'LIF' | 'CubaLI' | 'CubaLIF' }>, n: number, reset: ResetMode): Op {
    const where = 'simulate', at = `nodes.${node.name}`, dt = this.dt;
    const alpha = new Float32Array(n).fill(1), beta = new Float32Array(n), gamma = new Float32Array(n);
    const r = expand(node.r, n, 1, where, `${at}.r`);
    if (node.type === 'I' || node.type === 'IF') {
      for (let i = 0; i < n; i++) beta[i] = dt * r[i];
    } else {
      const tau = node.type === 'LI' || node.type === 'LIF' ? expand(node.tau, n, 1, where, `${at}.tau`) : expand(node.tauMem, n, 1, where, `${at}.tau_mem`);
      const vLeak = expand(node.vLeak, n, 0, where, `${at}.v_leak`);
      for (let i = 0; i < n; i++) {
        const k = dt / tau[i];
        alpha[i] = 1 - k;
        beta[i] = k * r[i];
        gamma[i] = k * vLeak[i];
      }
    }
    let synA: Float32Array | undefined, synB: Float32Array | undefined;
    if (node.type === 'CubaLI' || node.type === 'CubaLIF') {
      const ts = expand(node.tauSyn, n, 1, where, `${at}.tau_syn`), w = expand(node.wIn, n, 1, where, `${at}.w_in`);
      synA = new Float32Array(n);
      synB = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        const k = dt / ts[i];
        synA[i] = 1 - k;
        synB[i] = k * w[i];
      }
    }
    const spiking = node.type === 'IF' || node.type === 'LIF' || node.type === 'CubaLIF';
    const th = spiking ? expand(node.vThreshold, n, 1, where, `${at}.v_threshold`) : undefined;
    const vr = spiking ? expand(node.vReset, n, 0, where, `${at}.v_reset`) : undefined;
    const v = new Float32Array(n), syn = new Float32Array(n);
    this.membranes.set(node.name, v);
    this.resets.push(() => { v.fill(0); syn.fill(0); });
    const subtract = reset === 'subtract';
    return (x, out) => {
      for (let i = 0; i < n; i++) {
        let drive = x[i];
        if (synA) drive = syn[i] = f(f(syn[i] * synA[i]) + f(x[i] * synB![i]));
        const u = f(f(f(v[i] * alpha[i]) + f(drive * beta[i])) + gamma[i]);
        if (!spiking) {
          v[i] = u;
          out[i] = u;
          continue;
        }
        const fire = u > th![i];
        v[i] = fire ? (subtract ? f(u - f(th![i] - vr![i])) : vr![i]) : u;
        out[i] = fire ? 1 : 0;
      }
    };
  }

  /**
   * The membrane potential of a cell node after the last step (after its reset), for tracing.
   * @param name Flat node name of an I, IF, LI, LIF, CubaLI or CubaLIF node.
   */
  membrane(name: string): Float32Array {
    const v = this.membranes.get(name);
    if (!v) throw new SpikeletError('invalid_param', 'Simulator.membrane', 'name', 'the name of a cell node', name);
    return v.slice();
  }

  /**
   * Runs a whole sequence from the current state.
   * @param sequence Time-major `[T, inputSize]` values for the single Input node.
   */
  run(sequence: Float32Array | readonly number[]): SimulationResult {
    if (this.inputNames.length !== 1) {
      throw new SpikeletError('invalid_param', 'Simulator.run', 'graph', 'exactly one Input node (use step() with a record)', this.inputNames.length);
    }
    const nIn = this.sizes.get(this.inputNames[0])!;
    if (sequence.length % nIn !== 0 || nIn === 0) {
      throw new SpikeletError('shape_mismatch', 'Simulator.run', 'sequence.length', `a multiple of ${nIn} (time-major [T, ${nIn}])`, sequence.length);
    }
    const T = sequence.length / nIn;
    const seq = sequence instanceof Float32Array ? sequence : Float32Array.from(sequence);
    const outputs: Record<string, Float32Array> = {};
    for (const o of this.outputNames) outputs[o] = new Float32Array(T * this.sizes.get(o)!);
    const nodes: Record<string, Float32Array> | undefined = this.options.recordAll ? {} : undefined;
    if (nodes) for (const s of this.order) nodes[s.name] = new Float32Array(T * s.out.length);
    for (let t = 0; t < T; t++) {
      const y = this.step(seq.subarray(t * nIn, (t + 1) * nIn));
      for (const o of this.outputNames) outputs[o].set(y[o], t * y[o].length);
      if (nodes) for (const s of this.order) nodes[s.name].set(s.out, t * s.out.length);
    }
    return nodes ? { steps: T, outputs, nodes } : { steps: T, outputs };
  }
}

/** Direct convolution over `[C, ...spatial]` (1-D or 2-D), zero padding. */
function convOp(node: Extract<GraphNode, { type: 'Conv1d' | 'Conv2d' }>, g: Geometry, n: number): Op {
  const w = node.weight.data;
  const cout = node.weight.shape[0], cinG = node.weight.shape[1];
  const groups = node.groups ?? 1, coutG = cout / groups;
  const twoD = g.inSize.length === 2;
  const H = g.inSize[0], W = twoD ? g.inSize[1] : 1;
  const OH = g.outSize[0], OW = twoD ? g.outSize[1] : 1;
  const KH = g.kernel[0], KW = twoD ? g.kernel[1] : 1;
  const sh = g.stride[0], sw = twoD ? g.stride[1] : 1, dh = g.dilation[0], dw = twoD ? g.dilation[1] : 1;
  const ph = g.padLo[0], pw = twoD ? g.padLo[1] : 0;
  const bias = node.bias ? expand(node.bias, cout, 0, 'simulate', `nodes.${node.name}.bias`) : new Float32Array(cout);
  const acc = new Float64Array(n);
  return (x, out) => {
    for (let o = 0; o < cout; o++) {
      const grp = Math.floor(o / coutG);
      for (let oy = 0; oy < OH; oy++) {
        for (let ox = 0; ox < OW; ox++) {
          let s = 0;
          for (let ci = 0; ci < cinG; ci++) {
            const c = grp * cinG + ci;
            for (let ky = 0; ky < KH; ky++) {
              const iy = oy * sh - ph + ky * dh;
              if (iy < 0 || iy >= H) continue;
              for (let kx = 0; kx < KW; kx++) {
                const ix = ox * sw - pw + kx * dw;
                if (ix < 0 || ix >= W) continue;
                const xv = x[(c * H + iy) * W + ix];
                if (xv !== 0) s += w[((o * cinG + ci) * KH + ky) * KW + kx] * xv;
              }
            }
          }
          acc[(o * OH + oy) * OW + ox] = s + bias[o];
        }
      }
    }
    for (let i = 0; i < n; i++) out[i] = acc[i];
  };
}

/** Sum or average pooling over `[C, H, W]`, zero padding; the average divides by the full kernel area. */
function poolOp(avg: boolean, g: Geometry, n: number): Op {
  const [H, W] = g.inSize, [OH, OW] = g.outSize, [KH, KW] = g.kernel, [sh, sw] = g.stride, [ph, pw] = g.padLo;
  const C = n / (OH * OW);
  const div = avg ? KH * KW : 1;
  return (x, out) => {
    for (let c = 0; c < C; c++) {
      for (let oy = 0; oy < OH; oy++) {
        for (let ox = 0; ox < OW; ox++) {
          let s = 0;
          for (let ky = 0; ky < KH; ky++) {
            const iy = oy * sh - ph + ky;
            if (iy < 0 || iy >= H) continue;
            for (let kx = 0; kx < KW; kx++) {
              const ix = ox * sw - pw + kx;
              if (ix >= 0 && ix < W) s += x[(c * H + iy) * W + ix];
            }
          }
          out[(c * OH + oy) * OW + ox] = s / div;
        }
      }
    }
  };
}

/**
 * Simulates a graph on a whole input sequence from rest.
 * @param graph The graph (one Input node).
 * @param sequence Time-major `[T, inputSize]`.
 * @param options dt (default {@link NIR_DEFAULT_DT}), reset mode (default 'zero').
 * @returns Each Output node's values, time-major `[T, n]`.
 * @example
 * const { outputs } = simulate(graph, new Float32Array(100).fill(1), { dt: 1e-3 });
 */
export function simulate(graph: Graph, sequence: Float32Array | readonly number[], options: SimulateOptions = {}): SimulationResult {
  return new Simulator(graph, options).run(sequence);
}
