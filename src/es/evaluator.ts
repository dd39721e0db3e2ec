// Fitness evaluation: one wasm call (es_eval_f32, assembly/es/rollout.ts) per slice of the
// population, in this thread or spread over worker threads (Node worker_threads or browser Web
// Workers — the same worker script, environment-detected).
//
// What a worker receives: the compiled module once, then per generation the job record:
// sizes, seed, generation and the current mean and σ (D doubles each). It regenerates every
// member's parameters from (seed, generation, member) itself, so no parameter vector of a
// member ever crosses a thread boundary. The mean is sent rather than re-derived, because
// re-deriving it would mean replaying every earlier generation's update in every worker.
// Members do not interact (one f32x4 lane each), so the split over workers cannot change any
// result: N workers give bit-identical fitness to 1 worker (test/es-workers.test.ts).
import { SpikeletError } from '../errors.js';
import { embeddedModule } from '../runtime/wasm-source.js';

/** One slice of evaluation work (see the cfg layout in assembly/es/rollout.ts). */
export interface EvalJob {
  /** wasm environment id. */
  readonly env: number;
  readonly inN: number;
  readonly hidden: number;
  readonly outN: number;
  readonly dims: number;
  readonly episodes: number;
  readonly maxSteps: number;
  /** First member index (noise index space) and how many members. */
  readonly first: number;
  readonly count: number;
  readonly antithetic: boolean;
  readonly seed: number;
  readonly generation: number;
  /** Generation index of the episode reset stream (usually = generation). */
  readonly resetGeneration: number;
  /** Run every episode for maxSteps even after termination (fixed work, for benchmarks). */
  readonly ignoreTermination?: boolean;
  /** 0: mean + σ·noise, 1: explicit rows, 2: the mean itself. */
  readonly source: 0 | 1 | 2;
  readonly mean?: Float64Array;
  readonly sigma?: Float64Array;
  /** source 1: `[count, dims]` f32 parameters. */
  readonly rows?: Float32Array;
  /** f32[16]: α1 β1 γ1 th1 vr1 α2 β2 γ2 actionScale obsScale[0..4). */
  readonly consts: Float32Array;
  /** `int8`: every member is quantized and run as its int8 deployment (CartPole only; default f32). */
  readonly precision?: 'f32' | 'int8';
  /** int8: f64[16] quantization constants from `int8Constants` (src/es/policy.ts). */
  readonly quant?: Float64Array;
}

/** Per-member results of a job. */
export interface EvalResult {
  /** Mean episode return of each member. */
  readonly fitness: Float64Array;
  /** Environment steps taken by each member over all its episodes. */
  readonly steps: Float64Array;
}

/**
 * Bytes of wasm memory a job needs above its base address.
 * Self-contained (stringified into the worker script): no outside references.
 * @param job The job.
 */
export function evalBytes(job: EvalJob): number {
  const a = (x: number) => (x + 15) & ~15;
  return 128 + a(job.dims * 8) * 2 + (job.dims + job.hidden) * 64 + a(job.hidden * 16) + a(job.count * 8) * 2 + 64 +
    (job.source === 1 ? a(job.count * job.dims * 4) : 0) + 1024 + 2048 +
    (job.precision === 'int8' ? job.hidden * 256 + 320 + 128 : 0);
}

/**
 * Lays a job out at `base` in `memory` and runs `es_eval_f32` over it. Self-contained: it is
 * stringified into the worker script, so it may reference nothing outside itself.
 * @param ex The module's exports.
 * @param memory Its memory (grown here if the job needs more).
 * @param base First free, 16-byte aligned address.
 * @param job The job.
 */
export function evalCore(ex: Record<string, unknown>, memory: WebAssembly.Memory, base: number, job: EvalJob): EvalResult {
  const a = (x: number) => (x + 15) & ~15;
  const D = job.dims;
  let top = base;
  const take = (bytes: number) => { const p = top; top += a(bytes); return p; };
  const cfg = take(128), mean = take(D * 8), sigma = take(D * 8), genome = take((D + job.hidden) * 64), vm = take(job.hidden * 16);
  const fit = take(job.count * 8), steps = take(job.count * 8), consts = take(64);
  const rows = job.source === 1 ? take(job.count * D * 4) : 0;
  const envs = take(1024), xs = take(2048);
  const int8 = job.precision === 'int8';
  const recs = int8 ? take(job.hidden * 256 + 320) : 0, quant = int8 ? take(128) : 0;
  if (top > memory.buffer.byteLength) memory.grow(Math.ceil((top - memory.buffer.byteLength) / 65536));
  const buf = memory.buffer;
  const i32 = new Int32Array(buf, cfg, 32);
  i32.fill(0);
  i32.set([job.env, job.inN, job.hidden, job.outN, D, job.episodes, job.maxSteps, job.first, job.count,
    job.antithetic ? 1 : 0, job.seed | 0, job.generation | 0, job.source, job.resetGeneration | 0, job.ignoreTermination ? 1 : 0, int8 ? 1 : 0]);
  i32.set([mean, sigma, genome, vm, fit, consts, rows, envs, xs, steps, recs, quant], 16);
  if (job.mean) new Float64Array(buf, mean, D).set(job.mean);
  if (job.sigma) new Float64Array(buf, sigma, D).set(job.sigma);
  if (job.rows) new Float32Array(buf, rows, job.count * D).set(job.rows);
  new Float32Array(buf, consts, 16).set(job.consts);
  if (int8) new Float64Array(buf, quant, 16).set(job.quant!);
  if ((ex.es_eval_f32 as (p: number) => number)(cfg) !== 0) throw new Error('es_eval_f32: int8 evaluation supports CartPole (4 inputs, 2 actions) only');
  return {
    fitness: new Float64Array(memory.buffer, fit, job.count).slice(),
    steps: new Float64Array(memory.buffer, steps, job.count).slice(),
  };
}

/** Something that evaluates jobs: in this thread or over workers. */
export interface Evaluator {
  /** Number of threads doing the work. */
  readonly workers: number;
  /** Evaluates `job` (its `first`/`count` span the whole request). */
  evaluate(job: EvalJob): Promise<EvalResult>;
  /** Releases threads and memory. */
  close(): Promise<void>;
}

/** Runs jobs in the calling thread on a dedicated wasm instance. */
export class LocalEvaluator implements Evaluator {
  readonly workers = 0;
  private readonly memory = new WebAssembly.Memory({ initial: 1, maximum: 16384 });
  private readonly ex: Record<string, unknown>;
  private readonly base: number;

  /** @param module The kernel module (default: the embedded build). */
  constructor(module: WebAssembly.Module = embeddedModule()) {
    const inst = new WebAssembly.Instance(module, { env: { memory: this.memory, abort: () => { throw new Error('wasm abort'); } } });
    this.ex = inst.exports as Record<string, unknown>;
    this.base = ((this.ex.heap_base as () => number)() + 15) & ~15;
  }

  /** Synchronous evaluation. */
  evaluateSync(job: EvalJob): EvalResult {
    try {
      return evalCore(this.ex, this.memory, this.base, job);
    } catch (e) {
      throw new SpikeletError('wasm_trap', 'es_eval_f32', 'execution', 'to complete', (e as Error).message);
    }
  }

  /** {@inheritDoc Evaluator.evaluate} */
  async evaluate(job: EvalJob): Promise<EvalResult> {
    return this.evaluateSync(job);
  }

  /** Nothing to release beyond garbage. */
  async close(): Promise<void> {}
}

// The worker script: one body for Node and browsers; only the messaging shim differs.
const WORKER_BODY = `
const evalBytes = ${evalBytes.toString()};
const evalCore = ${evalCore.toString()};
let ex, memory, base;
function handle(msg) {
  if (msg.type === 'init') {
    memory = new WebAssembly.Memory({ initial: 1, maximum: 16384 });
    const inst = new WebAssembly.Instance(msg.module, { env: { memory, abort() { throw new Error('wasm abort'); } } });
    ex = inst.exports;
    base = (ex.heap_base() + 15) & ~15;
    post({ type: 'ready' });
    return;
  }
  try {
    const r = evalCore(ex, memory, base, msg.job);
    post({ type: 'result', id: msg.id, fitness: r.fitness, steps: r.steps }, [r.fitness.buffer, r.steps.buffer]);
  } catch (e) {
    post({ type: 'error', id: msg.id, message: String((e && e.message) || e) });
  }
}
`;

interface Port {
  post(msg: unknown): void;
  onMessage(fn: (msg: any) => void): void;
  terminate(): Promise<unknown> | void;
  /** Node: keep the process alive while work is pending (and only then). */
  hold(on: boolean): void;
}

function isNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === 'string';
}

async function spawn(): Promise<Port> {
  if (isNode()) {
    const mod = 'node:worker_threads'; // a variable: bundlers for browsers must not follow it
    const { Worker } = await import(/* @vite-ignore */ mod);
    const w = new Worker(`const { parentPort } = require('node:worker_threads');
const post = (m, t) => parentPort.postMessage(m, t);
parentPort.on('message', (m) => handle(m));
${WORKER_BODY}`, { eval: true });
    w.unref(); // an idle pool never keeps the process alive; `hold` refs it while jobs run
    let held = 0;
    return {
      post: (m) => w.postMessage(m), onMessage: (fn) => w.on('message', fn), terminate: () => w.terminate(),
      hold: (on) => {
        held += on ? 1 : -1;
        if (held > 0) w.ref(); else w.unref();
      },
    };
  }
  const src = `const post = (m, t) => self.postMessage(m, t);
self.onmessage = (e) => handle(e.data);
${WORKER_BODY}`;
  const url = URL.createObjectURL(new Blob([src], { type: 'text/javascript' }));
  const w = new Worker(url);
  return { post: (m) => w.postMessage(m), onMessage: (fn) => w.addEventListener('message', (e) => fn(e.data)), terminate: () => w.terminate(), hold: () => {} };
}

/**
 * A pool of worker threads, each with its own wasm instance. A job is cut into contiguous
 * slices (multiples of 4 members, one f32x4 group each), one per worker.
 */
export class WorkerEvaluator implements Evaluator {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (r: EvalResult) => void; reject: (e: Error) => void }>();

  private constructor(private readonly ports: Port[]) {
    for (const p of ports) {
      p.onMessage((m) => {
        const w = this.pending.get(m.id);
        if (!w) return;
        this.pending.delete(m.id);
        p.hold(false);
        if (m.type === 'result') w.resolve({ fitness: m.fitness, steps: m.steps });
        else w.reject(new SpikeletError('wasm_trap', 'es_eval_f32', 'worker', 'to complete', m.message));
      });
    }
  }

  /** Number of worker threads. */
  get workers(): number {
    return this.ports.length;
  }

  /**
   * Starts `n` workers and sends each the compiled module.
   * @param n Number of workers (1..64).
   * @param module The kernel module (default: the embedded build).
   */
  static async create(n: number, module: WebAssembly.Module = embeddedModule()): Promise<WorkerEvaluator> {
    if (!Number.isInteger(n) || n < 1 || n > 64) {
      throw new SpikeletError('invalid_param', 'WorkerEvaluator.create', 'workers', 'an integer in [1, 64]', n);
    }
    const ports = await Promise.all(Array.from({ length: n }, () => spawn()));
    await Promise.all(ports.map((p) => new Promise<void>((resolve) => {
      p.hold(true);
      p.onMessage((m) => { if (m.type === 'ready') p.hold(false); });
      p.onMessage((m) => { if (m.type === 'ready') resolve(); });
      p.post({ type: 'init', module });
    })));
    return new WorkerEvaluator(ports);
  }

  /** {@inheritDoc Evaluator.evaluate} */
  async evaluate(job: EvalJob): Promise<EvalResult> {
    const n = this.ports.length;
    const groups = Math.ceil(job.count / 4);
    const per = Math.ceil(groups / n) * 4;
    const parts: Promise<EvalResult>[] = [];
    const starts: number[] = [];
    for (let w = 0, start = 0; w < n && start < job.count; w++, start += per) {
      const count = Math.min(per, job.count - start);
      const rows = job.rows ? job.rows.slice(start * job.dims, (start + count) * job.dims) : undefined;
      const part: EvalJob = { ...job, first: job.first + start, count, rows };
      starts.push(start);
      parts.push(new Promise((resolve, reject) => {
        const id = this.nextId++;
        this.pending.set(id, { resolve, reject });
        this.ports[w].hold(true);
        this.ports[w].post({ type: 'eval', id, job: part });
      }));
    }
    const results = await Promise.all(parts);
    const fitness = new Float64Array(job.count), steps = new Float64Array(job.count);
    results.forEach((r, i) => { fitness.set(r.fitness, starts[i]); steps.set(r.steps, starts[i]); });
    return { fitness, steps };
  }

  /** Terminates every worker. */
  async close(): Promise<void> {
    await Promise.all(this.ports.map((p) => p.terminate()));
  }
}

/**
 * An evaluator with `workers` threads (0: the calling thread).
 * @param workers Number of worker threads.
 */
export async function createEvaluator(workers = 0): Promise<Evaluator> {
  if (workers === 0) return new LocalEvaluator();
  return WorkerEvaluator.create(workers);
}
