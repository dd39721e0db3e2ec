// A network compiled for execution: a fixed layout in wasm memory and a program for the
// interpreter in assembly/plan/interpreter.ts. One host→wasm call runs one step (`step`) or a
// whole chunk of a sequence (`run`); no per-layer or per-step JavaScript in between.
import { SpikeletError } from '../errors.js';
import {
  OP_CURRENT_F32, OP_INPUT_F32, OP_INPUT_Q8, OP_LIF_F32, OP_LIF_I16, OP_RECORD, OP_REQUANT, OP_SYN_F32,
  OP_SYN_I16, OP_SYNAPSE_F32, OP_SYNAPSE_I8, OP_U8_TO_F32, OP_RECORD_DEQ, OP_WORDS, OP_CONV_I8, OP_CONV_F32,
  OP_POOL_U8, OP_POOL_F32, OP_INPUT_SPIKES, OP_GATHER_U8, OP_GATHER_F32, LEAK_MULTIPLY, RESET_NONE, RESET_SUBTRACT,
  RESET_ZERO,
} from './abi.js';
import { calibrateSynapse, type Calibration, type SynapseOp } from './calibrate.js';
import { cellConstants, pad16 } from './cells.js';
import { validateNetwork, type Block, type NetworkSpec } from './network.js';
import { layoutBlocks, type BlockLayout } from './layout.js';
import { f32Bits, ProgramBuilder } from './program.js';
import type { Runtime } from './runtime.js';
import { quantizeNetwork, type QuantBlock, type QuantizedNetwork, type QuantizeOptions } from '../quant/quantize.js';

/** Numeric mode of a plan. */
export type Precision = 'f32' | 'int8';

/** Options of {@link compile}. */
export interface CompileOptions {
  /** `int8` (int8 weights, int16 fixed-point state; default) or `f32`. */
  readonly precision?: Precision;
  /** Independent samples stepped together (default 1). */
  readonly batch?: number;
  /** int8 only: input scale and weight-scale granularity. */
  readonly quantization?: QuantizeOptions;
  /**
   * `analog` (default): inputs are real values (int8 plans quantize them with
   * `quantization.inputScale`); `spikes`: inputs are spike trains, any nonzero value is a spike
   * (1) — no quantization error, and the first layer can use the cheaper spike event path.
   */
  readonly input?: 'analog' | 'spikes';
  /**
   * int8 only: an integer model to deploy as it is (e.g. read from a .spk file) instead of
   * quantizing the spec's float weights. It must have the spec's structure.
   */
  readonly quantized?: QuantizedNetwork;
  /** Bytes of wasm memory for `run`'s streamed input and outputs (default 4 MiB). */
  readonly chunkBytes?: number;
  /**
   * Event-driven synaptic updates (cost ∝ spikes instead of synapses):
   * `auto` picks dense or events per layer per step from the number of active inputs, at a
   * crossover measured on this machine (int8 default: integer results are identical either way);
   * `off` always dense (f32 default: the two paths sum floats in different orders, so `auto`
   * would make f32 results depend on the machine's timing); `always` events only (no dense
   * weights stored).
   */
  readonly eventDriven?: 'auto' | 'off' | 'always';
  /**
   * Crossover activity (fraction of active inputs, 0..1) below which `auto` uses events: one
   * number for every synaptic layer, or one per layer in `synapses` order. Default: measured by
   * {@link Plan.calibrate} at compile time (cached per runtime and shape).
   */
  readonly crossover?: number | readonly number[];
}

/** A synaptic connection of the plan (feed-forward or recurrent) and its dense/event crossover. */
export interface SynapseInfo {
  /** Index of the cell layer it feeds. */
  readonly layer: number;
  readonly kind: 'feedforward' | 'recurrent';
  readonly inputs: number;
  readonly outputs: number;
  /** Activity (0..1) at or below which the event path runs (`auto` mode). */
  readonly crossover: number;
}

/** Output of one {@link Plan.step}: the last layer, `[batch, n]`. */
export interface StepResult {
  readonly spikes: Uint8Array;
  readonly membrane: Float32Array;
}

/** Output of {@link Plan.run}, time-major `[T, batch, n]`. */
export interface RunResult {
  readonly steps: number;
  /** Spikes of the last layer (all zero for an LI readout); the same array as `layerSpikes[last]`. */
  readonly spikes: Uint8Array;
  /** Membrane of the last layer, in float units (dequantized for int8 plans). */
  readonly membrane: Float32Array;
  /** Spikes of every layer, `[T, batch, n_l]` each. */
  readonly layerSpikes: readonly Uint8Array[];
}

/**
 * Exact operation counts of one layer since the last `resetCounters`. `spikes`,
 * `synapticEvents`, `macs` and `membraneUpdates` describe the network's work and are identical
 * whichever path (dense or events) ran; `eventSteps`/`denseSteps` say which paths ran.
 */
export interface LayerCounters {
  /** Spikes emitted by the layer. */
  readonly spikes: number;
  /** Synaptic events: nonzero inputs (incl. recurrent spikes) × their fan-out. */
  readonly synapticEvents: number;
  /** Dense-equivalent multiply-accumulates: steps × batch × n × (inputs + recurrent inputs). */
  readonly macs: number;
  /** Membrane updates (neurons × batch × steps). */
  readonly membraneUpdates: number;
  /** Synaptic-op executions that took the event path / the dense path. */
  readonly eventSteps: number;
  readonly denseSteps: number;
}

/** What a layer exposes for read-out. All arrays are fresh copies, `[batch, n]`. */
export interface LayerHandle {
  readonly kind: Block['kind'];
  readonly size: number;
  /** Spikes of the most recent step. */
  spikes(): Uint8Array;
  /** Membrane potential in float units. */
  membrane(): Float32Array;
  /** Membrane as stored: int16 fixed point (int8 plans) or f32. */
  membraneRaw(): Int16Array | Float32Array;
}

interface Layer {
  readonly block: Block;
  readonly lay: BlockLayout;
  readonly q?: QuantBlock;
  readonly n: number;
  readonly nP: number;
  readonly v: number;
  readonly syn: number;
  readonly spk: number;
  readonly spkF: number;
  readonly refr: number;
  readonly acc1: number;
  readonly acc2: number;
  readonly cur: number;
  readonly pooled: number[]; // one buffer per pooling step before the synapse, [batch, size]
  readonly map: number;      // conv layers: int32 [n] internal index of each API ([C, H, W]) neuron
  readonly counters: number; // int64 [spikes, ffEvents, ffEventSteps, ffDenseSteps, recEvents, recEventSteps, recDenseSteps, -]
  stream: number;            // run: [Tc, batch, recorded row] spike bytes
}

/** Addresses of one block's read-only parameters. */
interface Params {
  readonly w: number; readonly wT: number; readonly wr: number; readonly wrT: number; readonly geom: number;
  readonly m1: number; readonly m2: number; readonly bias: number; readonly decay: number; readonly synDecay: number;
  readonly leak: number; readonly th: number; readonly vr: number;
  readonly alpha: number; readonly beta: number; readonly gamma: number; readonly synAlpha: number; readonly synBeta: number;
  readonly poolGeoms: number[];
}

/** A synaptic op of the program, as calibration and `setCrossover` need it. */
interface SynapseEntry extends SynapseOp {
  readonly layer: number;
  readonly kind: 'feedforward' | 'recurrent';
  readonly fields: number[]; // word offsets of its crossover field in the step and run programs
  crossover: number;
}

/**
 * Compiles a network for the runtime `rt`.
 * @param rt The runtime whose memory the plan lives in.
 * @param spec The network (validated here: typed errors name the offending field).
 * @param options Precision, batch size, quantization and event-driven options.
 */
export function compile(rt: Runtime, spec: NetworkSpec, options: CompileOptions = {}): Plan {
  const net = validateNetwork(spec, 'compile');
  const precision = options.precision ?? 'int8';
  if (precision !== 'int8' && precision !== 'f32') {
    throw new SpikeletError('invalid_param', 'compile', 'precision', '"int8" or "f32"', precision);
  }
  const batch = options.batch ?? 1;
  if (!Number.isInteger(batch) || batch < 1 || batch > 65536) {
    throw new SpikeletError('invalid_param', 'compile', 'batch', 'an integer in [1, 65536]', batch);
  }
  const chunkBytes = options.chunkBytes ?? 4 << 20;
  if (!Number.isInteger(chunkBytes) || chunkBytes < 1) {
    throw new SpikeletError('invalid_param', 'compile', 'chunkBytes', 'a positive integer', chunkBytes);
  }
  const eventDriven = options.eventDriven ?? (precision === 'int8' ? 'auto' : 'off');
  if (eventDriven !== 'auto' && eventDriven !== 'off' && eventDriven !== 'always') {
    throw new SpikeletError('invalid_param', 'compile', 'eventDriven', '"auto", "off" or "always"', eventDriven);
  }
  const nSyn = net.blocks.reduce((k, b) => k + (b.recurrent ? 2 : 1), 0);
  const crossover = options.crossover;
  if (crossover !== undefined) {
    const list = typeof crossover === 'number' ? [crossover] : crossover;
    if (!Array.isArray(list) || (typeof crossover !== 'number' && list.length !== nSyn)) {
      throw new SpikeletError('invalid_param', 'compile', 'crossover', `a number or ${nSyn} numbers (one per synaptic layer)`, crossover);
    }
    list.forEach((c, i) => {
      if (typeof c !== 'number' || !(c >= 0 && c <= 1)) {
        throw new SpikeletError('invalid_param', 'compile', typeof crossover === 'number' ? 'crossover' : `crossover[${i}]`, 'an activity in [0, 1]', c);
      }
    });
  }
  const input = options.input ?? 'analog';
  if (input !== 'analog' && input !== 'spikes') {
    throw new SpikeletError('invalid_param', 'compile', 'input', '"analog" or "spikes"', input);
  }
  let quantized = precision === 'int8' ? options.quantized : undefined;
  if (quantized) {
    const q = quantized;
    if (q.blocks.length !== net.blocks.length || q.inputSize !== net.inputSize) {
      throw new SpikeletError('shape_mismatch', 'compile', 'quantized.blocks', `${net.blocks.length} blocks on ${net.inputSize} inputs (the spec's structure)`, `${q.blocks.length} blocks on ${q.inputSize} inputs`);
    }
    net.blocks.forEach((b, i) => {
      const qb = q.blocks[i];
      if (qb.n !== b.n || qb.inN !== b.inN || qb.kind !== b.kind || qb.weight.length !== b.weight.length || (qb.recurrent === undefined) !== (b.recurrent === undefined)) {
        throw new SpikeletError('shape_mismatch', 'compile', `quantized.blocks[${i}]`, `a ${b.kind} block of ${b.n} neurons on ${b.inN} inputs`, `${qb.kind} ${qb.n}×${qb.inN}`);
      }
    });
  } else if (precision === 'int8') {
    quantized = quantizeNetwork(net, { ...options.quantization, input });
  }
  const plan = new Plan(rt, net.blocks, net.inputSize, net.dt, precision, batch, chunkBytes, eventDriven, input, quantized);
  if (eventDriven === 'auto') {
    if (crossover === undefined) plan.calibrate();
    else plan.synapses.forEach((_, i) => plan.setCrossover(i, typeof crossover === 'number' ? crossover : crossover[i]));
  }
  return plan;
}

/** A compiled network: `step`, `run`, `reset`, per-layer read-out and counters. */
export class Plan {
  /** Number of inputs per sample. */
  readonly inputSize: number;
  /** Number of neurons of the last layer. */
  readonly outputSize: number;
  /** Read-out of each cell layer, in order. */
  readonly layers: readonly LayerHandle[];
  private readonly L: Layer[] = [];
  private readonly inP: number;
  private readonly input: number;     // [batch, inP] int8 or f32
  private readonly inputSpikes: number; // f32 plans with spike input: [batch, inP] bytes
  private readonly inStream: number;  // [Tc, batch, inputSize] f32
  private readonly memStream: number; // [Tc, batch, recorded row of the last layer] f32
  private readonly capacity: number;  // Tc
  private readonly stepProg: number;
  private readonly stepOps: number;
  private readonly runProg: number;
  private readonly runOps: number;
  private readonly stateStart: number;
  private readonly stateEnd: number;
  private readonly idx: number;       // int32 scratch for compacted events
  private readonly cols: number;      // im2col scratch of the conv layers
  private readonly unitPtr: number;   // int8: f32 [nP] membrane LSB of the last layer (dequantization)
  private readonly syn: SynapseEntry[] = [];
  private steps = 0; // since the last resetCounters
  private readonly eventDriven: 'auto' | 'off' | 'always';

  /** @internal use {@link compile}. */
  constructor(
    private readonly rt: Runtime,
    blocks: readonly Block[],
    inputSize: number,
    /** Time step in seconds. */
    readonly dt: number,
    /** Numeric mode. */
    readonly precision: Precision,
    /** Samples stepped together. */
    readonly batch: number,
    chunkBytes: number,
    eventDriven: 'auto' | 'off' | 'always',
    /** How inputs are read: real values or spike trains. */
    readonly inputEncoding: 'analog' | 'spikes',
    /** The integer model (int8 plans). */
    readonly quantized?: QuantizedNetwork,
  ) {
    this.eventDriven = eventDriven;
    const int8 = precision === 'int8';
    const B = batch;
    const lays = layoutBlocks(blocks, inputSize);
    this.inputSize = inputSize;
    this.inP = pad16(inputSize);
    const last = blocks[blocks.length - 1];
    this.outputSize = last.n;
    const stateBytes = int8 ? 2 : 4;
    const actBytes = int8 ? 1 : 4;

    // Parameters first (read-only after compile), then state (zeroed by reset), then streams.
    const params = blocks.map((b) => this.layoutParams(b, lays[b.index], quantized?.blocks[b.index]));
    this.input = rt.alloc(B * this.inP * actBytes);
    this.inputSpikes = !int8 && inputEncoding === 'spikes' ? rt.alloc(B * this.inP) : 0;
    const counters = blocks.map(() => rt.alloc(64, 8));
    this.idx = rt.alloc(4 * Math.max(this.inP, ...lays.map((l) => Math.max(l.nP, l.in.size))));
    this.cols = rt.alloc(actBytes * Math.max(0, ...lays.map((l) => (l.geom ? l.geom[14] * l.geom[15] * l.geom[17] : 0))));
    this.stateStart = rt.mark();
    for (const b of blocks) {
      const lay = lays[b.index];
      const nP = lay.nP;
      const recurrent = b.recurrent !== undefined;
      // f32 plans feed spikes to the next float synapse or pooling (and to the recurrence) as floats.
      const feedsFloat = !int8 && (recurrent || b !== last);
      this.L.push({
        block: b, lay, q: quantized?.blocks[b.index], n: b.n, nP,
        v: rt.alloc(B * nP * stateBytes),
        syn: b.kind === 'cubalif' ? rt.alloc(B * nP * stateBytes) : 0,
        spk: rt.alloc(B * nP),
        spkF: feedsFloat ? rt.alloc(B * nP * 4) : 0,
        refr: b.refractory > 0 ? rt.alloc(B * nP * 2) : 0,
        acc1: rt.alloc(B * nP * 4),
        acc2: recurrent ? rt.alloc(B * nP * 4) : 0,
        cur: rt.alloc(B * nP * stateBytes),
        pooled: lay.pools.map((p) => rt.alloc(B * p.output.size * actBytes)),
        map: 0,
        counters: counters[b.index],
        stream: 0,
      });
    }
    this.stateEnd = rt.mark();

    // Conv layers record through a gather into [C, H, W] order, so every recorded row is n wide.
    this.L = this.L.map((l) => (l.lay.internalOf ? { ...l, map: rt.put(l.lay.internalOf) } : l));
    const recorded = (l: Layer) => l.n;
    const lastL = this.L[this.L.length - 1];
    const perStep = B * (inputSize * 4 + recorded(lastL) * 4 + this.L.reduce((s, l) => s + recorded(l), 0));
    this.capacity = Math.max(1, Math.min(4096, Math.floor(chunkBytes / perStep)));
    this.inStream = rt.alloc(this.capacity * B * inputSize * 4);
    this.memStream = rt.alloc(this.capacity * B * recorded(lastL) * 4);
    const lastQ = quantized?.blocks[last.index];
    this.unitPtr = lastQ ? rt.put(lastL.lay.perNeuron(lastQ.unit, new Float32Array(lastL.nP), 0)) : 0;
    for (const l of this.L) l.stream = rt.alloc(this.capacity * B * recorded(l));

    const step = this.program(params, false);
    const run = this.program(params, true);
    this.stepProg = rt.put(step.toInt32Array());
    this.stepOps = step.length;
    this.runProg = rt.put(run.toInt32Array());
    this.runOps = run.length;
    this.syn.forEach((s, i) => this.setCrossover(i, s.crossover));

    this.layers = this.L.map((l) => this.handle(l));
  }

  /** Packs weights and writes per-neuron constants in the block's internal layout. */
  private layoutParams(b: Block, lay: BlockLayout, q: QuantBlock | undefined): Params {
    const rt = this.rt;
    const k = rt.kernels;
    const int8 = q !== undefined;
    const dense = this.eventDriven !== 'always';
    const events = this.eventDriven !== 'off';
    // Dense weights: the kernel's row-major [rows, cols], then packed by pack_i8 / pack_f32.
    const packed = (m: Int8Array | Float32Array, rows: number, cols: number): number => {
      if (!dense) return 0;
      const dst = rt.alloc(int8 ? k.packed_i8_bytes(rows, cols) : k.packed_f32_bytes(rows, cols));
      const mark = rt.mark();
      const src = rt.put(m);
      if (int8) k.pack_i8(src, dst, rows, cols);
      else k.pack_f32(src, dst, rows, cols);
      rt.release(mark);
      return dst;
    };
    const make = (n: number) => (int8 ? new Int8Array(n) : new Float32Array(n));
    const w = int8 ? q.weight : b.weight;
    const nP = lay.nP;
    const ff = packed(lay.dense(w, make(lay.denseRows * lay.denseCols)), lay.denseRows, lay.denseCols);
    const ffT = events ? rt.put(lay.events(w, make(lay.eventRows * lay.eventCols))) : 0;
    let rec = 0, recT = 0;
    const r = int8 ? q.recurrent : b.recurrent;
    if (r) {
      // Recurrent weights [n, n] on the layer's own (flat) spikes.
      const m = make(nP * nP), t = make(nP * nP);
      for (let o = 0; o < b.n; o++) for (let i = 0; i < b.n; i++) {
        m[o * nP + i] = r[o * b.n + i];
        t[i * nP + o] = r[o * b.n + i];
      }
      rec = packed(m, nP, nP);
      recT = events ? rt.put(t) : 0;
    }
    const geom = lay.geom ? rt.put(lay.geom) : 0;
    const poolGeoms = lay.pools.map((p) => rt.put(p.geom));
    const put16 = (a: ArrayLike<number>, fill: number) => rt.put(lay.perNeuron(a, new Int16Array(nP), fill));
    const put32 = (a: ArrayLike<number>, fill: number) => rt.put(lay.perNeuron(a, new Int32Array(nP), fill));
    const putF = (a: ArrayLike<number>, fill: number) => rt.put(lay.perNeuron(a, new Float32Array(nP), fill));
    const base = { w: ff, wT: ffT, wr: rec, wrT: recT, geom, poolGeoms };
    if (q) {
      return {
        ...base,
        m1: put32(q.m1, 0), m2: put32(q.m2, 0), bias: put32(q.bias, 0),
        decay: put16(q.decayQ15, 0), synDecay: q.synDecayQ15 ? put16(q.synDecayQ15, 0) : 0,
        leak: put16(q.leakI16, 0),
        // Padding neurons can never fire: no input and a threshold no int16 exceeds.
        th: put16(q.thresholdI16, 32767), vr: put16(q.vResetI16, 0),
        alpha: 0, beta: 0, gamma: 0, synAlpha: 0, synBeta: 0,
      };
    }
    const c = cellConstants(b, this.dt);
    return {
      ...base,
      m1: 0, m2: 0, decay: 0, synDecay: 0, leak: 0,
      bias: putF(b.bias, 0), th: putF(b.vThreshold, Infinity), vr: putF(b.vReset, 0),
      alpha: putF(c.alpha, 0), beta: putF(c.beta, 0), gamma: putF(c.gamma, 0),
      synAlpha: c.synAlpha ? putF(c.synAlpha, 0) : 0, synBeta: c.synBeta ? putF(c.synBeta, 0) : 0,
    };
  }

  /** The op list of one time step (plus per-step recording for `run`). */
  private program(params: Params[], record: boolean): ProgramBuilder {
    const B = this.batch;
    const int8 = this.precision === 'int8';
    const p = new ProgramBuilder();
    const inStride = B * this.inputSize * 4;
    const spikesIn = this.inputEncoding === 'spikes';
    if (int8 && spikesIn) {
      p.op(OP_INPUT_SPIKES, this.inStream, inStride, this.input, this.inputSize, this.inP, B);
    } else if (int8) {
      p.op(OP_INPUT_Q8, this.inStream, inStride, this.input, this.inputSize, this.inP, B, f32Bits(1 / this.quantized!.inputScale));
    } else if (spikesIn) {
      p.op(OP_INPUT_SPIKES, this.inStream, inStride, this.inputSpikes, this.inputSize, this.inP, B);
      p.op(OP_U8_TO_F32, this.inputSpikes, this.input, B * this.inP);
    } else {
      p.op(OP_INPUT_F32, this.inStream, inStride, this.input, this.inputSize, this.inP, B);
    }
    // The previous layer's output as the next op reads it: values (int8 bytes or f32) and,
    // for f32 plans, the spike bytes that locate events (0: scan the floats).
    let x = this.input, xSpikes = this.inputSpikes;
    let k = 0; // synapse index
    const register = (entry: Omit<SynapseEntry, 'fields' | 'crossover'>, at: number, field: number) => {
      if (!record) this.syn.push({ ...entry, fields: [at * OP_WORDS + field], crossover: entry.wDense === 0 ? 1 : 0 });
      else this.syn[k].fields.push(at * OP_WORDS + field);
      k++;
    };
    this.L.forEach((l, i) => {
      const P = params[i], b = l.block, lay = l.lay, nP = l.nP;
      lay.pools.forEach((pool, j) => {
        const dst = l.pooled[j];
        if (int8) p.op(OP_POOL_U8, P.poolGeoms[j], x, dst, B, pool.input.size, pool.output.size);
        else p.op(OP_POOL_F32, P.poolGeoms[j], x, dst, B, pool.input.size, pool.output.size,
          f32Bits(pool.type === 'avgpool2d' ? 1 / (pool.geom[6] * pool.geom[7]) : 1));
        x = dst;
        xSpikes = 0;
      });
      const valued = lay.valued && !(i === 0 && spikesIn && lay.pools.length === 0);
      const at = p.length;
      const call = (wDense: number, wT: number) => ({ wDense, wT, outP: nP, inP: lay.in.size, batch: B, valued,
        layer: i, kind: 'feedforward' as const, inN: b.inN, real: lay.in });
      // (the event path of a layer is calibrated with its own weights on synthetic inputs)
      if (lay.geom) {
        const outC = b.conv!.outShape[0];
        if (int8) p.op(OP_CONV_I8, P.geom, P.w, P.wT, x, l.acc1, this.cols, this.idx, B, 0, valued ? 1 : 0, l.counters + 8, outC);
        else p.op(OP_CONV_F32, P.geom, P.w, P.wT, x, xSpikes, l.acc1, this.cols, this.idx, B, 0, valued ? 1 : 0, l.counters + 8, outC);
        register({ ...call(P.w, P.wT), kernel: int8 ? 'synapse_conv_i8' : 'synapse_conv_f32', geom: P.geom, cols: this.cols }, at, int8 ? 9 : 10);
      } else {
        if (int8) p.op(OP_SYNAPSE_I8, P.w, P.wT, x, l.acc1, B, nP, lay.in.size, this.idx, 0, valued ? 1 : 0, l.counters + 8, l.n);
        else p.op(OP_SYNAPSE_F32, P.w, P.wT, x, xSpikes, l.acc1, B, nP, lay.in.size, this.idx, 0, valued ? 1 : 0, l.counters + 8, l.n);
        register({ ...call(P.w, P.wT), kernel: int8 ? 'synapse_i8' : 'synapse_f32' }, at, int8 ? 9 : 10);
      }
      if (b.recurrent) {
        const at2 = p.length;
        if (int8) p.op(OP_SYNAPSE_I8, P.wr, P.wrT, l.spk, l.acc2, B, nP, nP, this.idx, 0, 0, l.counters + 32, l.n);
        else p.op(OP_SYNAPSE_F32, P.wr, P.wrT, l.spkF, l.spk, l.acc2, B, nP, nP, this.idx, 0, 0, l.counters + 32, l.n);
        register({ wDense: P.wr, wT: P.wrT, outP: nP, inP: nP, batch: B, valued: false, layer: i, kind: 'recurrent',
          inN: l.n, real: lay.out, kernel: int8 ? 'synapse_i8' : 'synapse_f32' }, at2, int8 ? 9 : 10);
      }
      const resetMode = b.reset === 'none' ? RESET_NONE : b.reset === 'zero' ? RESET_ZERO : RESET_SUBTRACT;
      const refrSteps = Math.round(b.refractory / this.dt);
      const drive = b.kind === 'cubalif' ? l.syn : l.cur;
      if (int8) {
        const q = l.q!;
        p.op(OP_REQUANT, l.acc1, P.m1, q.s1, l.acc2, P.m2, q.s2, P.bias, l.cur, nP, B, q.fastRequant ? 1 : 0);
        if (b.kind === 'cubalif') p.op(OP_SYN_I16, l.syn, l.cur, P.synDecay, nP, B, LEAK_MULTIPLY, 0);
        p.op(OP_LIF_I16, l.v, drive, P.decay, P.leak, P.th, P.vr, l.spk, l.refr, nP, B,
          q.leakMode, q.shiftK, resetMode, refrSteps, l.counters);
        x = l.spk;
      } else {
        p.op(OP_CURRENT_F32, l.acc1, l.acc2, P.bias, l.cur, nP, B);
        if (b.kind === 'cubalif') p.op(OP_SYN_F32, l.syn, l.cur, P.synAlpha, P.synBeta, nP, B);
        p.op(OP_LIF_F32, l.v, drive, P.alpha, P.beta, P.gamma, P.th, P.vr, l.spk, l.refr, nP, B,
          resetMode, refrSteps, l.counters);
        if (l.spkF) p.op(OP_U8_TO_F32, l.spk, l.spkF, B * nP);
        x = l.spkF;
        xSpikes = l.spk;
      }
    });
    if (record) {
      for (const l of this.L) {
        if (l.map) p.op(OP_GATHER_U8, l.spk, l.nP, l.map, l.stream, B * l.n, l.n, B);
        else p.op(OP_RECORD, l.spk, l.nP, l.stream, B * l.n, l.n, B);
      }
      const last = this.L[this.L.length - 1];
      if (last.map) p.op(OP_GATHER_F32, last.v, last.nP, last.map, int8 ? this.unitPtr : 0, this.memStream, B * last.n * 4, last.n, B);
      else if (int8) p.op(OP_RECORD_DEQ, last.v, this.unitPtr, this.memStream, B * last.n * 4, last.n, last.nP, B);
      else p.op(OP_RECORD, last.v, last.nP * 4, this.memStream, B * last.n * 4, last.n * 4, B);
    }
    return p;
  }

  private handle(l: Layer): LayerHandle {
    const raw = (): Int16Array | Float32Array => this.precision === 'int8'
      ? this.gather(l, this.rt.view().i16, l.v >> 1, l.nP, new Int16Array(this.batch * l.n))
      : this.gather(l, this.rt.view().f32, l.v >> 2, l.nP, new Float32Array(this.batch * l.n));
    return {
      kind: l.block.kind,
      size: l.n,
      spikes: () => this.gather(l, this.rt.view().u8, l.spk, l.nP, new Uint8Array(this.batch * l.n)),
      membraneRaw: raw,
      membrane: () => this.readMembrane(l, new Float32Array(this.batch * l.n)),
    };
  }

  /** Copies `rows` rows of stride `stride` starting at element `base` of `all` into API-ordered
   *  `[rows, n]` `out` (conv layers: from channels-last internal order). */
  private gather<T extends Uint8Array | Int16Array | Float32Array>(l: Layer, all: T, base: number, stride: number, out: T): T {
    const rows = this.batch;
    const map = l.lay.internalOf;
    for (let b = 0; b < rows; b++) {
      const s = base + b * stride, d = b * l.n;
      if (map) for (let i = 0; i < l.n; i++) out[d + i] = all[s + map[i]];
      else out.set(all.subarray(s, s + l.n) as never, d);
    }
    return out;
  }

  /** Membrane of layer `l` in float units, API order, into `out` ([batch, n]). int8 plans
   *  dequantize as the wasm record does: int16 × the f32 unit, rounded once to f32. */
  private readMembrane(l: Layer, out: Float32Array): Float32Array {
    const v = this.rt.view();
    if (this.precision === 'f32') return this.gather(l, v.f32, l.v >> 2, l.nP, out);
    const unit = l.q!.unit;
    const map = l.lay.internalOf;
    for (let b = 0; b < this.batch; b++) {
      const src = (l.v >> 1) + b * l.nP;
      for (let i = 0; i < l.n; i++) out[b * l.n + i] = v.i16[src + (map ? map[i] : i)] * Math.fround(unit[i]);
    }
    return out;
  }

  /** Validates shape and type on the host and finiteness in wasm (one SIMD pass), then returns
   *  the input as a Float32Array (no copy when it already is one). */
  private checkInput(where: string, x: unknown, multipleOf: number): Float32Array {
    if (!(x instanceof Float32Array) && !Array.isArray(x)) {
      throw new SpikeletError('invalid_param', where, 'input', 'a Float32Array or number[]', x);
    }
    const a = x as ArrayLike<number>;
    if (a.length === 0 || a.length % multipleOf !== 0 || (where === 'Plan.step' && a.length !== multipleOf)) {
      const want = where === 'Plan.step' ? `${multipleOf} (batch ${this.batch} × ${this.inputSize} inputs)`
        : `a positive multiple of ${multipleOf} (time-major [T, batch ${this.batch}, ${this.inputSize} inputs])`;
      throw new SpikeletError('shape_mismatch', where, 'input.length', want, a.length);
    }
    const f = a instanceof Float32Array ? a : Float32Array.from(a, (v) => (typeof v === 'number' ? v : NaN));
    return f;
  }

  /** Throws if the chunk just copied into the input stream holds a NaN or an infinity. */
  private checkFinite(where: string, chunk: Float32Array, offset: number): void {
    if (this.rt.kernels.count_nonfinite_f32(this.inStream, chunk.length) === 0) return;
    const i = chunk.findIndex((v) => !Number.isFinite(v));
    throw new SpikeletError('invalid_param', where, `input[${offset + i}]`, 'a finite number', chunk[i]);
  }

  private exec(prog: number, nOps: number, steps: number): void {
    const rc = this.rt.call('plan_run', prog, nOps, steps);
    if (rc !== 0) throw new SpikeletError('wasm_trap', 'plan_run', 'program', 'valid opcodes', `op ${-rc - 1}`);
    this.steps += steps;
  }

  /**
   * Advances every layer by one time step.
   * @param input `[batch, inputSize]` floats (spikes as 0/1).
   * @param out Optional arrays to write the result into (no allocation per step).
   * @returns Spikes and membrane of the last layer, `[batch, n]`.
   */
  step(input: Float32Array | readonly number[], out?: StepResult): StepResult {
    const x = this.checkInput('Plan.step', input, this.batch * this.inputSize);
    this.rt.view().f32.set(x, this.inStream >> 2);
    this.checkFinite('Plan.step', x, 0);
    this.exec(this.stepProg, this.stepOps, 1);
    return this.readOutput(out);
  }

  /**
   * Advances one time step from event lists: for each batch row, the indices of the inputs that
   * spike (value 1); all other inputs are 0.
   * @param events One integer array per batch row (Int32Array, Uint32Array, Uint16Array, Uint8Array
   *   or number[]), indices in [0, inputSize).
   * @param out Optional arrays to write the result into.
   */
  stepEvents(events: readonly (ArrayLike<number>)[], out?: StepResult): StepResult {
    const where = 'Plan.stepEvents';
    if (!Array.isArray(events) || events.length !== this.batch) {
      throw new SpikeletError('shape_mismatch', where, 'events.length', `${this.batch} (one index list per batch row)`, Array.isArray(events) ? events.length : events);
    }
    events.forEach((e, b) => {
      const intTyped = e instanceof Int32Array || e instanceof Uint32Array || e instanceof Uint16Array || e instanceof Uint8Array || e instanceof Int16Array;
      if (!intTyped && !Array.isArray(e)) {
        throw new SpikeletError('invalid_param', where, `events[${b}]`, 'an integer typed array (Int32Array, Uint16Array, ...) or number[] of input indices', e);
      }
      for (let k = 0; k < e.length; k++) {
        const i = e[k];
        if (!Number.isInteger(i) || i < 0 || i >= this.inputSize) {
          throw new SpikeletError('invalid_param', where, `events[${b}][${k}]`, `an input index in [0, ${this.inputSize - 1}]`, i);
        }
      }
    });
    const f32 = this.rt.view().f32;
    const base = this.inStream >> 2;
    f32.fill(0, base, base + this.batch * this.inputSize);
    events.forEach((e, b) => {
      for (let k = 0; k < e.length; k++) f32[base + b * this.inputSize + e[k]] = 1;
    });
    this.exec(this.stepProg, this.stepOps, 1);
    return this.readOutput(out);
  }

  private readOutput(out?: StepResult): StepResult {
    const l = this.L[this.L.length - 1];
    const n = this.batch * l.n;
    if (out && (out.spikes.length !== n || out.membrane.length !== n)) {
      throw new SpikeletError('shape_mismatch', 'Plan.step', 'out', `spikes and membrane of length ${n}`, [out.spikes.length, out.membrane.length]);
    }
    const spikes = out?.spikes ?? new Uint8Array(n);
    const membrane = out?.membrane ?? new Float32Array(n);
    this.gather(l, this.rt.view().u8, l.spk, l.nP, spikes);
    return { spikes, membrane: this.readMembrane(l, membrane) };
  }

  /**
   * Runs a whole sequence, in chunks of as many steps as fit the plan's stream buffers (one
   * wasm call per chunk). State carries over from earlier calls; `reset()` first for a fresh run.
   * @param sequence Time-major `[T, batch, inputSize]` floats.
   * @param options `out`: a result of an earlier run of the same length to overwrite (no allocation).
   */
  run(sequence: Float32Array | readonly number[], options: { out?: RunResult } = {}): RunResult {
    const B = this.batch;
    const x = this.checkInput('Plan.run', sequence, B * this.inputSize);
    const T = x.length / (B * this.inputSize);
    const last = this.L[this.L.length - 1];
    const out = options.out;
    if (out && (out.steps !== T || out.membrane.length !== T * B * last.n || out.layerSpikes.length !== this.L.length
        || out.layerSpikes.some((s, i) => s.length !== T * B * this.L[i].n))) {
      throw new SpikeletError('shape_mismatch', 'Plan.run', 'options.out', `a RunResult of this plan for ${T} steps`, out.steps);
    }
    const membrane = out?.membrane ?? new Float32Array(T * B * last.n);
    const layerSpikes = out?.layerSpikes ?? this.L.map((l) => new Uint8Array(T * B * l.n));
    const per = B * this.inputSize;
    const chunkOf = (t0: number) => x.subarray(t0 * per, Math.min(T, t0 + this.capacity) * per);
    // Validate every chunk before running any, so bad input leaves the state untouched.
    if (T > this.capacity) {
      for (let t0 = 0; t0 < T; t0 += this.capacity) {
        this.rt.view().f32.set(chunkOf(t0), this.inStream >> 2);
        this.checkFinite('Plan.run', chunkOf(t0), t0 * per);
      }
    }
    for (let t0 = 0; t0 < T; t0 += this.capacity) {
      const steps = Math.min(this.capacity, T - t0);
      const chunk = chunkOf(t0);
      this.rt.view().f32.set(chunk, this.inStream >> 2);
      if (T <= this.capacity) this.checkFinite('Plan.run', chunk, 0);
      this.exec(this.runProg, this.runOps, steps);
      const v = this.rt.view();
      // Recorded rows are already in API order (conv layers were gathered in wasm).
      this.L.forEach((l, i) => layerSpikes[i].set(v.u8.subarray(l.stream, l.stream + steps * B * l.n), t0 * B * l.n));
      membrane.set(v.f32.subarray(this.memStream >> 2, (this.memStream >> 2) + steps * B * last.n), t0 * B * last.n);
    }
    return out ?? { steps: T, spikes: layerSpikes[layerSpikes.length - 1], membrane, layerSpikes };
  }

  /** Zeroes every membrane, synaptic current, refractory counter and spike (not the counters). */
  reset(): void {
    this.rt.view().u8.fill(0, this.stateStart, this.stateEnd);
  }

  /** Exact counts per layer since compile or the last {@link resetCounters}. */
  counters(): LayerCounters[] {
    const i64 = this.rt.view().i64;
    return this.L.map((l) => {
      const c = (k: number) => Number(i64[(l.counters >> 3) + k]);
      const c2 = l.block.conv;
      const fanIn = (c2 ? c2.inShape[0] * c2.kernel[0] * c2.kernel[1] : l.block.inN) + (l.block.recurrent ? l.n : 0);
      return {
        spikes: c(0),
        synapticEvents: c(1) + c(4),
        macs: this.steps * this.batch * l.n * fanIn,
        membraneUpdates: this.steps * this.batch * l.n,
        eventSteps: c(2) + c(5),
        denseSteps: c(3) + c(6),
      };
    });
  }

  /** Sets every counter to zero. */
  resetCounters(): void {
    const i64 = this.rt.view().i64;
    for (const l of this.L) i64.fill(0n, l.counters >> 3, (l.counters >> 3) + 8);
    this.steps = 0;
  }

  /** The plan's synaptic connections in execution order, with their current crossovers. */
  get synapses(): SynapseInfo[] {
    return this.syn.map((s) => ({ layer: s.layer, kind: s.kind, inputs: s.inN, outputs: this.L[s.layer].n, crossover: s.crossover }));
  }

  /**
   * Sets the activity (fraction of active inputs, 0..1) at or below which synapse `index` takes
   * the event path. Has no effect in `off` mode (no event weights) or `always` mode.
   */
  setCrossover(index: number, activity: number): void {
    const s = this.syn[index];
    if (!s) throw new SpikeletError('invalid_param', 'Plan.setCrossover', 'index', `an integer in [0, ${this.syn.length - 1}]`, index);
    if (typeof activity !== 'number' || !(activity >= 0 && activity <= 1)) {
      throw new SpikeletError('invalid_param', 'Plan.setCrossover', 'activity', 'a number in [0, 1]', activity);
    }
    if (s.wDense === 0 || s.wT === 0) return;
    s.crossover = activity;
    // Compare with the total of nonzero inputs over the batch, as the kernel counts them.
    const count = Math.floor(activity * s.inN * this.batch);
    const i32 = this.rt.view().i32;
    const [stepField, runField] = s.fields;
    if (stepField !== undefined) i32[(this.stepProg >> 2) + stepField] = count;
    if (runField !== undefined) i32[(this.runProg >> 2) + runField] = count;
  }

  /**
   * Measures each synaptic layer's dense/event crossover on this machine and stores it.
   * @param options `fresh: true` re-measures instead of reusing this runtime's cached result.
   * @returns One calibration (crossover and the measured curve) per synapse, in order.
   */
  calibrate(options: { fresh?: boolean } = {}): Calibration[] {
    return this.syn.map((s, i) => {
      if (s.wDense === 0 || s.wT === 0) return { crossover: s.crossover, curve: [] };
      const c = calibrateSynapse(this.rt, s, !options.fresh);
      this.setCrossover(i, c.crossover);
      return c;
    });
  }
}
