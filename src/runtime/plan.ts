// A network compiled for execution: a fixed layout in wasm memory and a program for the
// interpreter in assembly/plan/interpreter.ts. One host→wasm call runs one step (`step`) or a
// whole chunk of a sequence (`run`); no per-layer or per-step JavaScript in between.
import { SpikeletError } from '../errors.js';
import {
  OP_CURRENT_F32, OP_INPUT_F32, OP_INPUT_Q8, OP_LIF_F32, OP_LIF_I16, OP_MATMUL_F32, OP_MATMUL_I8, OP_RECORD,
  OP_REQUANT, OP_SYN_F32, OP_SYN_I16, OP_U8_TO_F32, LEAK_MULTIPLY, RESET_NONE, RESET_SUBTRACT, RESET_ZERO,
} from './abi.js';
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

/** Exact operation counts of one layer since the last `resetCounters`. */
export interface LayerCounters {
  /** Spikes emitted. */
  readonly spikes: number;
  /** Multiply-accumulates executed by the dense kernels (padded sizes). */
  readonly macs: number;
  /** Membrane updates (neurons × batch × steps). */
  readonly membraneUpdates: number;
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
  readonly counters: number; // int64 [spikes, macs]
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
  const quantized = precision === 'int8' ? quantizeNetwork(net, options.quantization) : undefined;
  return new Plan(rt, net.blocks, net.inputSize, net.dt, precision, batch, chunkBytes, quantized);
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
  private steps = 0; // since the last resetCounters

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
    /** The integer model (int8 plans). */
    readonly quantized?: QuantizedNetwork,
  ) {
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
    const counters = blocks.map(() => rt.alloc(16, 8)); // int64 [spikes, macs] per layer
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
    if (q) {
      return {
        w: packed(q.weight, b.n, b.inN, inP),
        wr: q.recurrent ? packed(q.recurrent, b.n, b.n, nP) : 0,
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
      w: packed(b.weight, b.n, b.inN, inP),
      wr: b.recurrent ? packed(b.recurrent, b.n, b.n, nP) : 0,
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
    let x = this.input, inP = this.inP;
    this.L.forEach((l, i) => {
      const P = params[i], b = l.block, nP = l.nP;
      const macs = l.counters + 8;
      const spikesIn = int8 ? l.spk : l.spkF;
      p.op(int8 ? OP_MATMUL_I8 : OP_MATMUL_F32, P.w, x, l.acc1, B, nP, inP, macs);
      if (b.recurrent) p.op(int8 ? OP_MATMUL_I8 : OP_MATMUL_F32, P.wr, spikesIn, l.acc2, B, nP, nP, macs);
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
      inP = nP;
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
   * @returns Spikes and membrane of the last layer, `[batch, n]`.
   */
  step(input: Float32Array | readonly number[]): StepResult {
    const x = this.checkInput('Plan.step', input, this.batch * this.inputSize);
    this.rt.view().f32.set(x, this.inStream >> 2);
    this.exec(this.stepProg, this.stepOps, 1);
    const out = this.layers[this.layers.length - 1];
    return { spikes: out.spikes(), membrane: out.membrane() };
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
    return this.L.map((l) => ({
      spikes: Number(i64[l.counters >> 3]),
      macs: Number(i64[(l.counters >> 3) + 1]),
      membraneUpdates: this.steps * this.batch * l.n,
    }));
  }

  /** Sets every counter to zero. */
  resetCounters(): void {
    const i64 = this.rt.view().i64;
    for (const l of this.L) i64.fill(0n, l.counters >> 3, (l.counters >> 3) + 2);
    this.steps = 0;
  }
}
