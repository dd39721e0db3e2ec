// A network compiled for execution: a fixed layout in wasm memory and a program for the
// interpreter in assembly/plan/interpreter.ts. One host→wasm call runs one step (`step`) or a
// whole chunk of a sequence (`run`); no per-layer or per-step JavaScript in between.
import { SpikeletError } from '../errors.js';
import {
  OP_CURRENT_F32, OP_INPUT_F32, OP_INPUT_Q8, OP_LIF_F32, OP_LIF_I16, OP_RECORD, OP_REQUANT, OP_SYN_F32,
  OP_SYN_I16, OP_SYNAPSE_F32, OP_SYNAPSE_I8, OP_U8_TO_F32, OP_WORDS, LEAK_MULTIPLY, RESET_NONE, RESET_SUBTRACT,
  RESET_ZERO,
} from './abi.js';
import { calibrateSynapse, type Calibration, type SynapseOp } from './calibrate.js';
import { cellConstants, pad16 } from './cells.js';
import { validateNetwork, type Block, type NetworkSpec } from './network.js';
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
  /** Spikes of the last layer (all zero for an LI readout). */
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
  readonly counters: number; // int64 [spikes, ffEvents, ffEventSteps, ffDenseSteps, recEvents, recEventSteps, recDenseSteps, -]
  readonly stream: number;   // run: [Tc, batch, n] spike bytes
}

/**
 * Compiles a network for the runtime `rt`.
 * @param rt The runtime whose memory the plan lives in.
 * @param spec The network (validated here: typed errors name the offending field).
 * @param options Precision, batch size, quantization options.
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
  const quantized = precision === 'int8' ? quantizeNetwork(net, options.quantization) : undefined;
  const plan = new Plan(rt, net.blocks, net.inputSize, net.dt, precision, batch, chunkBytes, eventDriven, quantized);
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
  private readonly inStream: number;  // [Tc, batch, inputSize] f32
  private readonly memStream: number; // [Tc, batch, n_last] int16 or f32
  private readonly capacity: number;  // Tc
  private readonly stepProg: number;
  private readonly stepOps: number;
  private readonly runProg: number;
  private readonly runOps: number;
  private readonly stateStart: number;
  private readonly stateEnd: number;
  private readonly idx: number;       // [max inP] int32 scratch for compacted events
  private readonly syn: (SynapseOp & { layer: number; kind: 'feedforward' | 'recurrent'; inN: number; fields: number[]; crossover: number })[] = [];
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
    /** The integer model (int8 plans). */
    readonly quantized?: QuantizedNetwork,
  ) {
    this.eventDriven = eventDriven;
    const int8 = precision === 'int8';
    const B = batch;
    this.inputSize = inputSize;
    this.inP = pad16(inputSize);
    const last = blocks[blocks.length - 1];
    this.outputSize = last.n;
    const stateBytes = int8 ? 2 : 4;

    // Parameters first (read-only after compile), then state (zeroed by reset), then streams.
    const params = blocks.map((b) => this.layoutParams(b, quantized?.blocks[b.index]));
    this.input = rt.alloc(B * this.inP * (int8 ? 1 : 4));
    const counters = blocks.map(() => rt.alloc(64, 8));
    this.idx = rt.alloc(4 * Math.max(this.inP, ...blocks.map((b) => pad16(b.n))));
    this.stateStart = rt.mark();
    for (const b of blocks) {
      const nP = pad16(b.n);
      const q = quantized?.blocks[b.index];
      const recurrent = b.recurrent !== undefined;
      this.L.push({
        block: b, q, n: b.n, nP,
        v: rt.alloc(B * nP * stateBytes),
        syn: b.kind === 'cubalif' ? rt.alloc(B * nP * stateBytes) : 0,
        spk: rt.alloc(B * nP),
        // f32 plans feed spikes to the next float matmul (and to the recurrence) as floats.
        spkF: !int8 && (recurrent || b !== last) ? rt.alloc(B * nP * 4) : 0,
        refr: b.refractory > 0 ? rt.alloc(B * nP * 2) : 0,
        acc1: rt.alloc(B * nP * 4),
        acc2: recurrent ? rt.alloc(B * nP * 4) : 0,
        cur: rt.alloc(B * nP * stateBytes),
        counters: counters[b.index],
        stream: 0,
      });
    }
    this.stateEnd = rt.mark();

    const perStep = B * (inputSize * 4 + last.n * stateBytes + blocks.reduce((s, b) => s + b.n, 0));
    this.capacity = Math.max(1, Math.min(4096, Math.floor(chunkBytes / perStep)));
    this.inStream = rt.alloc(this.capacity * B * inputSize * 4);
    this.memStream = rt.alloc(this.capacity * B * last.n * stateBytes);
    this.L = this.L.map((l) => ({ ...l, stream: rt.alloc(this.capacity * B * l.n) }));

    const step = this.program(params, false);
    const run = this.program(params, true);
    this.stepProg = rt.put(step.toInt32Array());
    this.stepOps = step.length;
    this.runProg = rt.put(run.toInt32Array());
    this.runOps = run.length;
    this.syn.forEach((s, i) => this.setCrossover(i, s.crossover));

    this.layers = this.L.map((l) => this.handle(l));
  }

  /** Packs weights and writes per-neuron constants; returns their addresses. */
  private layoutParams(b: Block, q: QuantBlock | undefined) {
    const rt = this.rt;
    const nP = pad16(b.n), inP = pad16(b.inN);
    const k = rt.kernels;
    const packed = (w: Float32Array | Int8Array, rows: number, cols: number, colsP: number): number => {
      if (w instanceof Int8Array) {
        const dst = rt.alloc(k.packed_i8_bytes(nP, colsP));
        const mark = rt.mark();
        const src = rt.alloc(nP * colsP);
        const u8 = rt.view().i8;
        for (let o = 0; o < rows; o++) u8.set(w.subarray(o * cols, (o + 1) * cols), src + o * colsP);
        k.pack_i8(src, dst, nP, colsP);
        rt.release(mark);
        return dst;
      }
      const dst = rt.alloc(k.packed_f32_bytes(nP, colsP));
      const mark = rt.mark();
      const src = rt.alloc(nP * colsP * 4);
      const f = rt.view().f32;
      for (let o = 0; o < rows; o++) f.set(w.subarray(o * cols, (o + 1) * cols), (src >> 2) + o * colsP);
      k.pack_f32(src, dst, nP, colsP);
      rt.release(mark);
      return dst;
    };
    const padded = <T extends Int16Array | Int32Array | Float32Array>(a: ArrayLike<number>, make: (n: number) => T, fill: number): number => {
      const t = make(nP).fill(fill);
      t.set(a as ArrayLike<number>);
      return rt.put(t);
    };
    // Presynaptic-major copy for the event path: row i holds the nP weights input i projects to.
    const transposed = (w: Float32Array | Int8Array, rows: number, cols: number, colsP: number): number => {
      if (this.eventDriven === 'off') return 0;
      const t = w instanceof Int8Array ? new Int8Array(colsP * nP) : new Float32Array(colsP * nP);
      for (let o = 0; o < rows; o++) for (let i = 0; i < cols; i++) t[i * nP + o] = w[o * cols + i];
      return rt.put(t);
    };
    const dense = this.eventDriven !== 'always';
    if (q) {
      return {
        w: dense ? packed(q.weight, b.n, b.inN, inP) : 0,
        wr: q.recurrent && dense ? packed(q.recurrent, b.n, b.n, nP) : 0,
        wT: transposed(q.weight, b.n, b.inN, inP),
        wrT: q.recurrent ? transposed(q.recurrent, b.n, b.n, nP) : 0,
        m1: padded(q.m1, (n) => new Int32Array(n), 0),
        m2: padded(q.m2, (n) => new Int32Array(n), 0),
        bias: padded(q.bias, (n) => new Int32Array(n), 0),
        decay: padded(q.decayQ15, (n) => new Int16Array(n), 0),
        synDecay: q.synDecayQ15 ? padded(q.synDecayQ15, (n) => new Int16Array(n), 0) : 0,
        leak: padded(q.leakI16, (n) => new Int16Array(n), 0),
        // Padding neurons can never fire: no input and a threshold no int16 exceeds.
        th: padded(q.thresholdI16, (n) => new Int16Array(n), 32767),
        vr: padded(q.vResetI16, (n) => new Int16Array(n), 0),
        alpha: 0, beta: 0, gamma: 0, synAlpha: 0, synBeta: 0,
      };
    }
    const c = cellConstants(b, this.dt);
    const f = (a: ArrayLike<number>, fill = 0) => padded(a, (n) => new Float32Array(n), fill);
    return {
      w: dense ? packed(b.weight, b.n, b.inN, inP) : 0,
      wr: b.recurrent && dense ? packed(b.recurrent, b.n, b.n, nP) : 0,
      wT: transposed(b.weight, b.n, b.inN, inP),
      wrT: b.recurrent ? transposed(b.recurrent, b.n, b.n, nP) : 0,
      m1: 0, m2: 0, decay: 0, synDecay: 0, leak: 0,
      bias: f(b.bias),
      th: f(b.vThreshold, Infinity),
      vr: f(b.vReset),
      alpha: f(c.alpha), beta: f(c.beta), gamma: f(c.gamma),
      synAlpha: c.synAlpha ? f(c.synAlpha) : 0, synBeta: c.synBeta ? f(c.synBeta) : 0,
    };
  }

  /** The op list of one time step (plus per-step recording for `run`). */
  private program(params: ReturnType<Plan['layoutParams']>[], record: boolean): ProgramBuilder {
    const B = this.batch;
    const int8 = this.precision === 'int8';
    const p = new ProgramBuilder();
    const inStride = B * this.inputSize * 4;
    if (int8) {
      p.op(OP_INPUT_Q8, this.inStream, inStride, this.input, this.inputSize, this.inP, B, f32Bits(1 / this.quantized!.inputScale));
    } else {
      p.op(OP_INPUT_F32, this.inStream, inStride, this.input, this.inputSize, this.inP, B);
    }
    let x = this.input, xSpikes = 0, inP = this.inP, inN = this.inputSize;
    let k = 0; // synapse index
    const synapse = (layer: number, kind: 'feedforward' | 'recurrent', wDense: number, wT: number, xf: number,
                     spikes: number, y: number, outP: number, inPadded: number, inReal: number, valued: boolean,
                     counters: number, fanOut: number) => {
      const at = p.length;
      if (int8) {
        p.op(OP_SYNAPSE_I8, wDense, wT, xf, y, B, outP, inPadded, this.idx, 0, valued ? 1 : 0, counters, fanOut);
      } else {
        p.op(OP_SYNAPSE_F32, wDense, wT, xf, spikes, y, B, outP, inPadded, this.idx, 0, valued ? 1 : 0, counters, fanOut);
      }
      const field = int8 ? 9 : 10;
      if (!record) {
        this.syn.push({
          kernel: int8 ? 'synapse_i8' : 'synapse_f32', wDense, wT, outP, inP: inPadded, inN: inReal, batch: B, valued,
          layer, kind, fields: [at * OP_WORDS + field], crossover: wDense === 0 ? 1 : 0,
        });
      } else {
        this.syn[k].fields.push(at * OP_WORDS + field);
      }
      k++;
    };
    this.L.forEach((l, i) => {
      const P = params[i], b = l.block, nP = l.nP;
      synapse(i, 'feedforward', P.w, P.wT, x, xSpikes, l.acc1, nP, inP, inN, i === 0, l.counters + 8, l.n);
      if (b.recurrent) {
        synapse(i, 'recurrent', P.wr, P.wrT, int8 ? l.spk : l.spkF, int8 ? 0 : l.spk, l.acc2, nP, nP, l.n, false, l.counters + 32, l.n);
      }
      const spikesIn = int8 ? l.spk : l.spkF;
      const resetMode = b.reset === 'none' ? RESET_NONE : b.reset === 'zero' ? RESET_ZERO : RESET_SUBTRACT;
      const refrSteps = Math.round(b.refractory / this.dt);
      if (int8) {
        const q = l.q!;
        p.op(OP_REQUANT, l.acc1, P.m1, q.s1, l.acc2, P.m2, q.s2, P.bias, l.cur, nP, B);
        const drive = b.kind === 'cubalif' ? l.syn : l.cur;
        if (b.kind === 'cubalif') p.op(OP_SYN_I16, l.syn, l.cur, P.synDecay, nP, B, LEAK_MULTIPLY, 0);
        p.op(OP_LIF_I16, l.v, drive, P.decay, P.leak, P.th, P.vr, l.spk, l.refr, nP, B,
          q.leakMode, q.shiftK, resetMode, refrSteps, l.counters);
      } else {
        p.op(OP_CURRENT_F32, l.acc1, l.acc2, P.bias, l.cur, nP, B);
        const drive = b.kind === 'cubalif' ? l.syn : l.cur;
        if (b.kind === 'cubalif') p.op(OP_SYN_F32, l.syn, l.cur, P.synAlpha, P.synBeta, nP, B);
        p.op(OP_LIF_F32, l.v, drive, P.alpha, P.beta, P.gamma, P.th, P.vr, l.spk, l.refr, nP, B,
          resetMode, refrSteps, l.counters);
        if (l.spkF) p.op(OP_U8_TO_F32, l.spk, l.spkF, B * nP);
      }
      x = spikesIn;
      xSpikes = int8 ? 0 : l.spk;
      inP = nP;
      inN = l.n;
    });
    if (record) {
      const sb = int8 ? 2 : 4;
      for (const l of this.L) p.op(OP_RECORD, l.spk, l.nP, l.stream, B * l.n, l.n, B);
      const last = this.L[this.L.length - 1];
      p.op(OP_RECORD, last.v, last.nP * sb, this.memStream, B * last.n * sb, last.n * sb, B);
    }
    return p;
  }

  private handle(l: Layer): LayerHandle {
    const raw = (): Int16Array | Float32Array => this.precision === 'int8'
      ? this.unpad(l, this.rt.view().i16, l.v >> 1, new Int16Array(this.batch * l.n))
      : this.unpad(l, this.rt.view().f32, l.v >> 2, new Float32Array(this.batch * l.n));
    return {
      kind: l.block.kind,
      size: l.n,
      spikes: () => this.unpad(l, this.rt.view().u8, l.spk, new Uint8Array(this.batch * l.n)),
      membraneRaw: raw,
      membrane: () => this.dequantize(l, raw()),
    };
  }

  /** Copies `[batch, nP]` rows starting at element `base` of `all` into `[batch, n]` `out`. */
  private unpad<T extends Uint8Array | Int16Array | Float32Array>(l: Layer, all: T, base: number, out: T): T {
    for (let b = 0; b < this.batch; b++) {
      out.set(all.subarray(base + b * l.nP, base + b * l.nP + l.n) as never, b * l.n);
    }
    return out;
  }

  private dequantize(l: Layer, raw: Int16Array | Float32Array): Float32Array {
    if (raw instanceof Float32Array) return raw;
    const out = new Float32Array(raw.length);
    const unit = l.q!.unit;
    for (let i = 0; i < raw.length; i++) out[i] = raw[i] * unit[i % l.n];
    return out;
  }

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
    for (let i = 0; i < a.length; i++) {
      if (!Number.isFinite(a[i])) throw new SpikeletError('invalid_param', where, `input[${i}]`, 'a finite number', a[i]);
    }
    return a instanceof Float32Array ? a : Float32Array.from(a);
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
    const v = this.rt.view();
    this.unpad(l, v.u8, l.spk, spikes);
    if (this.precision === 'f32') {
      this.unpad(l, v.f32, l.v >> 2, membrane);
    } else {
      const unit = l.q!.unit;
      for (let b = 0; b < this.batch; b++) {
        const src = (l.v >> 1) + b * l.nP;
        for (let i = 0; i < l.n; i++) membrane[b * l.n + i] = v.i16[src + i] * unit[i];
      }
    }
    return { spikes, membrane };
  }

  /**
   * Runs a whole sequence, in chunks of as many steps as fit the plan's stream buffers (one
   * wasm call per chunk). State carries over from earlier calls; `reset()` first for a fresh run.
   * @param sequence Time-major `[T, batch, inputSize]` floats.
   */
  run(sequence: Float32Array | readonly number[]): RunResult {
    const B = this.batch;
    const x = this.checkInput('Plan.run', sequence, B * this.inputSize);
    const T = x.length / (B * this.inputSize);
    const last = this.L[this.L.length - 1];
    const spikes = new Uint8Array(T * B * last.n);
    const membrane = new Float32Array(T * B * last.n);
    const layerSpikes = this.L.map((l) => new Uint8Array(T * B * l.n));
    const int8 = this.precision === 'int8';
    for (let t0 = 0; t0 < T; t0 += this.capacity) {
      const steps = Math.min(this.capacity, T - t0);
      const per = B * this.inputSize;
      this.rt.view().f32.set(x.subarray(t0 * per, (t0 + steps) * per), this.inStream >> 2);
      this.exec(this.runProg, this.runOps, steps);
      const v = this.rt.view();
      this.L.forEach((l, i) => layerSpikes[i].set(v.u8.subarray(l.stream, l.stream + steps * B * l.n), t0 * B * l.n));
      const count = steps * B * last.n;
      const raw = int8 ? v.i16.subarray(this.memStream >> 1, (this.memStream >> 1) + count)
        : v.f32.subarray(this.memStream >> 2, (this.memStream >> 2) + count);
      membrane.set(this.dequantize(last, raw), t0 * B * last.n);
    }
    spikes.set(layerSpikes[layerSpikes.length - 1]);
    return { steps: T, spikes, membrane, layerSpikes };
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
      const fanIn = l.block.inN + (l.block.recurrent ? l.n : 0);
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
