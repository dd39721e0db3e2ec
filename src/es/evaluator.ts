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
// result: N workers give bit-identical fitness to 1 worker (test/es-eval.test.ts).
//
// How members are split over workers (`schedule`): with SharedArrayBuffer (Node; browsers when
// cross-origin isolated) every worker lays the whole job out once and makes one kernel call,
// in which the kernel claims blocks of 8 members from a shared counter whenever lanes fall free
// (it returns to the worker for each claim and resumes) until none is left; fitness goes
// straight into shared memory. A core that runs slower (a busy SMT sibling on a VM, a little
// core on a phone) simply claims fewer, and no worker drains its lanes before the job is done.
// Without SharedArrayBuffer: one contiguous slice per worker.
import { SpikeletError } from '../errors.js';
import { embeddedModule } from '../runtime/wasm-source.js';
import { checkEvalJob } from './job-check.js';

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

/** A job laid out in wasm memory, ready to evaluate any span of its members. */
export interface PreparedJob {
  /**
   * Evaluates members [start, start + count) of the job (noise indices job.first + start, ...)
   * into the job's fitness and step-count arrays in wasm memory (read them with `view`).
   */
  run(start: number, count: number): void;
  /**
   * Evaluates the members the host hands out, 8 at a time: `claim()` returns the next block's
   * first member (a multiple of 8 below job.count) or −1 when none is left; the kernel asks for
   * a block whenever it has lanes free, so one call serves a whole dynamic schedule.
   */
  runClaiming(claim: () => number): void;
  /** Views of members [start, start + count)'s fitness and step counts in wasm memory (valid until it grows). */
  view(start: number, count: number): EvalResult;
}

/**
 * Lays a job out at `base` in `memory` (grown if it needs more) for `es_eval_f32`: the cfg
 * record, mean, σ, constants, explicit rows and the kernel's scratch (layout: cfg words in
 * assembly/es/rollout.ts). Self-contained: it is stringified into the worker script, so it may
 * reference nothing outside itself.
 * @param ex The module's exports.
 * @param memory Its memory.
 * @param base First free, 16-byte aligned address.
 * @param job The job.
 */
export function prepareJob(ex: Record<string, unknown>, memory: WebAssembly.Memory, base: number, job: EvalJob): PreparedJob {
  const a = (x: number) => (x + 15) & ~15;
  const D = job.dims;
  let top = base;
  const take = (bytes: number) => { const p = top; top += a(bytes); return p; };
  const cfg = take(256), mean = take(D * 8), sigma = take(D * 8), genome = take((D + job.hidden) * 64), vm = take(job.hidden * 16);
  const fit = take(job.count * 8), steps = take(job.count * 8), consts = take(64);
  const rows = job.source === 1 ? take(job.count * D * 4) : 0;
  const envs = take(1024), xs = take(2048);
  const int8 = job.precision === 'int8';
  const recs = int8 ? take(job.hidden * 256 + 320) : 0, quant = int8 ? take(128) : 0;
  const stage = take(D * 32), starts = take(Math.max(job.episodes, 0) * 32), episodes = take(job.count * 16);
  if (top > memory.buffer.byteLength) memory.grow(Math.ceil((top - memory.buffer.byteLength) / 65536));
  const buf = memory.buffer;
  const i32 = new Int32Array(buf, cfg, 64);
  i32.fill(0);
  i32.set([job.env, job.inN, job.hidden, job.outN, D, job.episodes, job.maxSteps, job.first, job.count,
    job.antithetic ? 1 : 0, job.seed | 0, job.generation | 0, job.source, job.resetGeneration | 0, job.ignoreTermination ? 1 : 0, int8 ? 1 : 0]);
  i32.set([mean, sigma, genome, vm, fit, consts, rows, envs, xs, steps, recs, quant, stage, starts], 16);
  if (job.mean) new Float64Array(buf, mean, D).set(job.mean);
  if (job.sigma) new Float64Array(buf, sigma, D).set(job.sigma);
  if (job.rows) new Float32Array(buf, rows, job.count * D).set(job.rows);
  new Float32Array(buf, consts, 16).set(job.consts);
  if (int8) new Float64Array(buf, quant, 16).set(job.quant!);
  const evalF32 = ex.es_eval_f32 as (p: number) => number;
  // −1: the int8 mode met another environment (checkEvalJob admits CartPole only).
  const failed = (r: number) => new Error(`es_eval_f32 returned ${r}: int8 evaluation supports CartPole (4 inputs, 2 actions) only`);
  // A span is the job with its member range, its rows and its outputs moved to `start`;
  // block mode 0: the kernel walks the span's blocks itself, 1: the host hands them out.
  const span = (start: number, count: number, mode: 0 | 1) => {
    i32[7] = job.first + start;
    i32[8] = count;
    i32[20] = fit + 8 * start;
    i32[22] = rows === 0 ? 0 : rows + 4 * D * start;
    i32[25] = steps + 8 * start;
    i32[34] = episodes + 16 * start;
    i32[30] = mode;
    i32[33] = 0;
  };
  return {
    run(start: number, count: number) {
      span(start, count, 0);
      const r = evalF32(cfg);
      if (r !== 0) throw failed(r);
    },
    runClaiming(claim: () => number) {
      span(0, job.count, 1);
      i32[32] = claim(); // −1: none left
      if (i32[32] < 0) return;
      for (let r = evalF32(cfg); r !== 0; r = evalF32(cfg)) {
        if (r !== 1) throw failed(r);
        i32[32] = claim();
      }
    },
    view(start: number, count: number) {
      return { fitness: new Float64Array(buf, fit + 8 * start, count), steps: new Float64Array(buf, steps + 8 * start, count) };
    },
  };
}

/**
 * Lays a job out and evaluates all its members in the calling thread.
 * @param ex The module's exports.
 * @param memory Its memory (grown here if the job needs more).
 * @param base First free, 16-byte aligned address.
 * @param job The job.
 */
export function evalCore(ex: Record<string, unknown>, memory: WebAssembly.Memory, base: number, job: EvalJob): EvalResult {
  const p = prepareJob(ex, memory, base, job);
  p.run(0, job.count);
  const r = p.view(0, job.count);
  return { fitness: r.fitness.slice(), steps: r.steps.slice() };
}

/** Something that evaluates jobs: in this thread or over workers. */
export interface Evaluator {
  /** Number of threads doing the work. */
  readonly workers: number;
  /**
   * Evaluates `job` (its `first`/`count` span the whole request). May be called again before an
   * earlier call resolves (several runs sharing one pool): jobs run in call order, each call gets its own results.
   */
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
    checkEvalJob(job, 'LocalEvaluator.evaluate');
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
// 'eval': the whole job (a static slice), results returned in the message (transferred).
// 'share': blocks of 8 members claimed by the kernel from the shared counter at shared[0] (the
// next unclaimed member) until none is left, fitness and steps written to the shared f64 arrays
// after it.
const WORKER_BODY = `
const prepareJob = ${prepareJob.toString()};
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
    const job = msg.job, p = prepareJob(ex, memory, base, job);
    if (msg.type === 'eval') {
      p.run(0, job.count);
      const r = p.view(0, job.count), fitness = r.fitness.slice(), steps = r.steps.slice();
      post({ type: 'result', id: msg.id, fitness, steps }, [fitness.buffer, steps.buffer]);
      return;
    }
    // The kernel claims blocks of 8 members whenever it has lanes free; this worker then
    // copies the results of the blocks it took.
    const next = new Int32Array(msg.shared, 0, 1), taken = [];
    const fitness = new Float64Array(msg.shared, 8, job.count), steps = new Float64Array(msg.shared, 8 + 8 * job.count, job.count);
    p.runClaiming(() => {
      const start = Atomics.add(next, 0, 8);
      if (start >= job.count) return -1;
      taken.push(start);
      return start;
    });
    for (const start of taken) {
      const r = p.view(start, Math.min(8, job.count - start));
      fitness.set(r.fitness, start);
      steps.set(r.steps, start);
    }
    post({ type: 'result', id: msg.id });
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

/** How a {@link WorkerEvaluator} splits a job's members over its workers. */
export type EvalSchedule = 'dynamic' | 'static';

/** Options of {@link WorkerEvaluator.create}. */
export interface WorkerEvaluatorOptions {
  /**
   * `dynamic` (default): each worker's kernel claims blocks of 8 members from a shared counter
   * whenever its lanes fall free, until none is left, so a slower core takes fewer; needs
   * SharedArrayBuffer (always in Node; in a browser only when cross-origin isolated) and falls
   * back to `static` without it.
   * `static`: one contiguous slice per worker, one message each way.
   * Both give the same fitness bit for bit.
   */
  readonly schedule?: EvalSchedule;
}

function sharedMemoryAvailable(): boolean {
  return typeof SharedArrayBuffer === 'function' && (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated !== false;
}

/**
 * A pool of worker threads, each with its own wasm instance. A job's members are spread over
 * the workers by the pool's {@link EvalSchedule}; results do not depend on it.
 */
export class WorkerEvaluator implements Evaluator {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (r: EvalResult | undefined) => void; reject: (e: Error) => void }>();

  /** The schedule in use: `static` where SharedArrayBuffer is unavailable, whatever was asked. */
  readonly schedule: EvalSchedule;

  private constructor(private readonly ports: Port[], schedule: EvalSchedule) {
    this.schedule = schedule;
    for (const p of ports) {
      p.onMessage((m) => {
        const w = this.pending.get(m.id);
        if (!w) return;
        this.pending.delete(m.id);
        p.hold(false);
        if (m.type === 'result') w.resolve(m.fitness ? { fitness: m.fitness, steps: m.steps } : undefined);
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
   * @param options How members are split over the workers.
   * @example
   * const pool = await WorkerEvaluator.create(2);
   * const { fitness } = await pool.evaluate(job); // EvalJob, as evolve builds it
   * await pool.close();
   */
  static async create(n: number, module: WebAssembly.Module = embeddedModule(), options: WorkerEvaluatorOptions = {}): Promise<WorkerEvaluator> {
    if (!Number.isInteger(n) || n < 1 || n > 64) {
      throw new SpikeletError('invalid_param', 'WorkerEvaluator.create', 'workers', 'an integer in [1, 64]', n);
    }
    const requested = options.schedule ?? 'dynamic';
    if (requested !== 'dynamic' && requested !== 'static') {
      throw new SpikeletError('invalid_param', 'WorkerEvaluator.create', 'options.schedule', '"dynamic" or "static"', requested);
    }
    const ports = await Promise.all(Array.from({ length: n }, () => spawn()));
    await Promise.all(ports.map((p) => new Promise<void>((resolve) => {
      p.hold(true);
      p.onMessage((m) => { if (m.type === 'ready') p.hold(false); });
      p.onMessage((m) => { if (m.type === 'ready') resolve(); });
      p.post({ type: 'init', module });
    })));
    return new WorkerEvaluator(ports, requested === 'dynamic' && sharedMemoryAvailable() ? 'dynamic' : 'static');
  }

  /** Posts one message to worker `w` and resolves with its reply. */
  private send(w: number, msg: object): Promise<EvalResult | undefined> {
    return new Promise((resolve, reject) => {
      const id = this.nextId++;
      this.pending.set(id, { resolve, reject });
      this.ports[w].hold(true);
      this.ports[w].post({ ...msg, id });
    });
  }

  /** {@inheritDoc Evaluator.evaluate} */
  async evaluate(job: EvalJob): Promise<EvalResult> {
    checkEvalJob(job, 'WorkerEvaluator.evaluate');
    const n = this.ports.length;
    if (this.schedule === 'dynamic' && n > 1) {
      // Counter (i32, padded to 8 bytes), then fitness and steps (f64[count] each).
      const shared = new SharedArrayBuffer(8 + 16 * job.count);
      await Promise.all(this.ports.map((_, w) => this.send(w, { type: 'share', job, shared })));
      return {
        fitness: new Float64Array(shared, 8, job.count).slice(),
        steps: new Float64Array(shared, 8 + 8 * job.count, job.count).slice(),
      };
    }
    const per = Math.ceil(Math.ceil(job.count / 4) / n) * 4; // whole f32x4 groups per worker
    const parts: Promise<EvalResult | undefined>[] = [];
    const starts: number[] = [];
    for (let w = 0, start = 0; w < n && start < job.count; w++, start += per) {
      const count = Math.min(per, job.count - start);
      const rows = job.rows ? job.rows.slice(start * job.dims, (start + count) * job.dims) : undefined;
      starts.push(start);
      parts.push(this.send(w, { type: 'eval', job: { ...job, first: job.first + start, count, rows } }));
    }
    const results = await Promise.all(parts);
    const fitness = new Float64Array(job.count), steps = new Float64Array(job.count);
    results.forEach((r, i) => { fitness.set(r!.fitness, starts[i]); steps.set(r!.steps, starts[i]); });
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
