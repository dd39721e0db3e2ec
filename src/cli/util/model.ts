// Shared by `inspect`, `export` and `run`: loading a model file by its contents (.nir is HDF5,
// .spk has its own magic), parsing input sequences, and running a model on the best engine.
import { readFileSync } from 'node:fs';
import { SpikeletError } from '../../errors.js';
import { graphToNetwork } from '../../graph/lower.js';
import { Simulator, graphDt } from '../../graph/simulate.js';
import { analyzeGraph } from '../../graph/validate.js';
import type { Graph, ResetMode } from '../../graph/types.js';
import { isHdf5, readNir } from '../../io/nir/read.js';
import { isSpk, readSpk } from '../../io/spk/read.js';
import type { SpkModel } from '../../io/spk/format.js';
import { compile } from '../../runtime/plan.js';
import { skeletonToSpec } from '../../io/spk/skeleton.js';
import { Runtime } from '../../runtime/runtime.js';
import type { QuantizedNetwork } from '../../quant/quantize.js';
import { IntegerReference } from '../../reference/integer-model.js';
import { sizeOf } from '../../graph/tensor.js';

/** A model loaded from disk. */
export type LoadedModel =
  | { readonly kind: 'graph'; readonly format: 'nir' | 'spk'; readonly graph: Graph; readonly metadata: Readonly<Record<string, unknown>> }
  | { readonly kind: 'quantized'; readonly format: 'spk'; readonly quantized: QuantizedNetwork; readonly spk: SpkModel };

/** Reads a .nir or .spk file (by content, not extension). */
export async function loadModel(path: string, options: { dt?: number } = {}): Promise<LoadedModel> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(path));
  } catch (e) {
    throw new SpikeletError('invalid_param', 'load', 'file', 'a readable file', `${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  if (isSpk(bytes)) {
    const m = readSpk(bytes);
    if (m.kind === 'graph') {
      const graph = options.dt === undefined ? m.graph : { ...m.graph, metadata: { ...m.graph.metadata, dt: options.dt } };
      return { kind: 'graph', format: 'spk', graph, metadata: m.metadata };
    }
    return { kind: 'quantized', format: 'spk', quantized: m.quantized, spk: m };
  }
  if (isHdf5(bytes)) {
    const graph = await readNir(bytes, options.dt === undefined ? {} : { dt: options.dt });
    return { kind: 'graph', format: 'nir', graph, metadata: graph.metadata };
  }
  throw new SpikeletError('bad_file', 'load', 'file', 'a NIR (HDF5) or .spk file', `${path}: neither signature found`);
}

/**
 * Reads an input sequence: CSV (one row per time step; commas, semicolons or whitespace; lines
 * starting with # and a non-numeric header row are skipped) or JSON (an array of arrays).
 * @returns Rows of numbers.
 */
export function readInput(path: string): number[][] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new SpikeletError('invalid_param', 'run', '--input', 'a readable file', `${path} (${(e as NodeJS.ErrnoException).code ?? ''})`);
  }
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) {
    let v: unknown;
    try {
      v = JSON.parse(trimmed);
    } catch (e) {
      throw new SpikeletError('bad_file', 'run', '--input', 'a JSON array of arrays of numbers', (e as Error).message);
    }
    if (!Array.isArray(v)) throw new SpikeletError('bad_file', 'run', '--input', 'a JSON array of arrays', v);
    return v.map((row, t) => {
      const r = Array.isArray(row) ? row.flat(8) : [row];
      r.forEach((x, i) => {
        if (typeof x !== 'number' || !Number.isFinite(x)) throw new SpikeletError('bad_file', 'run', `input[${t}][${i}]`, 'a finite number', x);
      });
      return r as number[];
    });
  }
  const rows: number[][] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((line, k) => {
    const l = line.trim();
    if (l === '' || l.startsWith('#')) return;
    const cells = l.split(/[,;\s]+/).filter((c) => c !== '');
    const nums = cells.map(Number);
    if (nums.some((x) => !Number.isFinite(x))) {
      if (rows.length === 0 && k === lines.findIndex((x) => x.trim() !== '' && !x.trim().startsWith('#'))) return; // header
      throw new SpikeletError('bad_file', 'run', `input line ${k + 1}`, 'numbers', l);
    }
    rows.push(nums);
  });
  return rows;
}

/** Flattens rows to `[T, n]`, checking widths; `steps` truncates or pads with zeros. */
export function toSequence(rows: number[][], n: number, steps?: number): { seq: Float32Array; T: number } {
  const T = steps ?? rows.length;
  if (!Number.isInteger(T) || T < 1) throw new SpikeletError('invalid_param', 'run', 'steps', 'an integer >= 1 (or a non-empty input)', T);
  const seq = new Float32Array(T * n);
  for (let t = 0; t < Math.min(T, rows.length); t++) {
    if (rows[t].length !== n) throw new SpikeletError('shape_mismatch', 'run', `input row ${t}`, `${n} values (the model's input size)`, rows[t].length);
    seq.set(rows[t], t * n);
  }
  return { seq, T };
}

/** What ran and what it produced: the output layer, time-major `[T, n]`. */
export interface RunOutcome {
  readonly engine: 'plan-f32' | 'plan-int8' | 'simulator' | 'integer-reference';
  readonly steps: number;
  readonly outputSize: number;
  /** Spikes (0/1) of the output layer; for a non-spiking readout, its values. */
  readonly output: Float32Array;
  readonly spiking: boolean;
  /** Why the Plan was not used, when the simulator ran. */
  readonly fallbackReason?: string;
}

/** Input size of a loaded model. */
export function inputSizeOf(m: LoadedModel): number {
  if (m.kind === 'quantized') return m.quantized.inputSize;
  const { flat, shapes } = analyzeGraph(m.graph, 'run');
  const inputs = flat.nodes.filter((n) => n.type === 'Input');
  if (inputs.length !== 1) throw new SpikeletError('unsupported', 'run', 'graph', 'exactly one Input node', inputs.length);
  return sizeOf(shapes.output.get(inputs[0].name)!);
}

/**
 * Runs a model: a quantized model on the integer reference (bit-exact with the int8 Plan); a
 * graph on a compiled Plan when it lowers and compiles, else on the float simulator.
 */
export function runModel(m: LoadedModel, seq: Float32Array, T: number,
                         o: { engine?: 'auto' | 'plan' | 'simulator'; precision?: 'f32' | 'int8'; reset?: ResetMode; dt?: number; inputScale?: number }): RunOutcome {
  if (m.kind === 'quantized') return runQuantized(m, seq, T);
  const engine = o.engine ?? 'auto';
  let reason: string | undefined;
  if (engine !== 'simulator') {
    try {
      const spec = graphToNetwork(m.graph, { dt: o.dt, reset: o.reset });
      const rt = Runtime.createSync();
      const precision = o.precision ?? 'f32';
      const plan = compile(rt, spec, { precision, ...(o.inputScale ? { quantization: { inputScale: o.inputScale } } : {}) });
      const r = plan.run(seq);
      const lastCell = spec.layers[spec.layers.length - 1];
      const spiking = lastCell.type !== 'li';
      return {
        engine: precision === 'int8' ? 'plan-int8' : 'plan-f32', steps: T, outputSize: plan.outputSize,
        output: spiking ? Float32Array.from(r.spikes) : r.membrane, spiking,
      };
    } catch (e) {
      if (!(e instanceof SpikeletError) || e.code !== 'unsupported' || engine === 'plan') throw e;
      reason = e.message;
    }
  }
  const sim = new Simulator(m.graph, { dt: graphDt(m.graph, o.dt), reset: o.reset });
  const r = sim.run(seq);
  const name = sim.outputNames[0];
  const out = r.outputs[name];
  const n = sim.sizes.get(name)!;
  let spiking = true;
  for (const v of out) if (v !== 0 && v !== 1) { spiking = false; break; }
  return { engine: 'simulator', steps: T, outputSize: n, output: out, spiking, ...(reason ? { fallbackReason: reason } : {}) };
}

/**
 * A quantized model runs on an int8 Plan built from the stored structure and integers (see
 * src/io/spk/skeleton.ts; the Plan's float parameters are placeholders that int8 plans never
 * read), else on the TypeScript integer reference (Linear blocks only; bit-exact with the Plan).
 */
function runQuantized(m: Extract<LoadedModel, { kind: 'quantized' }>, seq: Float32Array, T: number): RunOutcome {
  const q = m.quantized;
  const last = q.blocks[q.blocks.length - 1];
  const n = last.n;
  const spiking = last.kind !== 'li';
  const network = m.spk.kind === 'quantized' ? m.spk.network : undefined;
  if (network) {
    // The skeleton gives the structure (conv/pool geometry); the stored integer model is deployed as is.
    const plan = compile(Runtime.createSync(), skeletonToSpec(network), { precision: 'int8', quantized: q, input: q.input });
    const r = plan.run(seq);
    return { engine: 'plan-int8', steps: T, outputSize: n, output: spiking ? Float32Array.from(r.spikes) : r.membrane, spiking };
  }
  const ref = new IntegerReference(q, 1);
  const out = new Float32Array(T * n);
  for (let t = 0; t < T; t++) {
    const spk = ref.step(seq.subarray(t * q.inputSize, (t + 1) * q.inputSize));
    if (spiking) out.set(spk[spk.length - 1], t * n);
    else {
      const v = ref.membrane(q.blocks.length - 1);
      for (let i = 0; i < n; i++) out[t * n + i] = v[i] * last.unit[i];
    }
  }
  return { engine: 'integer-reference', steps: T, outputSize: n, output: out, spiking };
}
