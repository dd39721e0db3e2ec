#!/usr/bin/env node
// Dense matmul: spikelet's SIMD kernels vs plain JavaScript and onnxruntime-web (wasm, 1 thread),
// interleaved in one process. Usage: node bench/matmul.mjs [--json] [--quick] [--filter SUBSTRING]
//
// y[batch, out] = x[batch, in] . W^T, for W of out x in. Per implementation:
//   spikelet int8  matmul_i8_simd: int8 spikes in, int32 out, weights pre-packed (pack_i8)
//   spikelet f32   matmul_f32_simd: f32 in/out, weights pre-packed (pack_f32)
//   plain JS       i-k-j loops over typed arrays, W stored [in, out] (bench/lib/baselines.mjs)
//   ORT int8       MatMulInteger, uint8 activations x int8 weight initializer -> int32
//   ORT f32        MatMul, f32 activations x f32 weight initializer [in, out]
// What one timed call includes: for spikelet, copying the activations from a JS typed array
// into wasm memory, the kernel, and copying the outputs into a JS typed array; for ORT,
// session.run on a prepared feed (which copies in and out); for plain JS, the loop.
// Weights and activations are the same buffers on every call (hot cache; no rotation).
// MACs are counted as batch*out*in with the true `in` (700 for 128x700, which spikelet pads
// to 704) for every implementation, so GMAC/s are comparable.
import { parseArgs, selected, log, emitJson, formatTable, fmt3, round3 } from './lib/cli.mjs';
import { machineLine, machineShort } from './lib/machine.mjs';
import { makeProbe, warmUp, measureInterleaved, callsFor, pairedRatio, PROBE_KEEP } from './lib/timing.mjs';
import { matmulF32, matmulI8, rng } from './lib/baselines.mjs';
import { getOrt, ortVersion, matmulF32Model, matmulIntegerModel, createSession } from './lib/ort.mjs';
import { loadSpikelet, pad16 } from './lib/spikelet-wasm.mjs';

const SHAPES = [[128, 700], [256, 256], [512, 512], [1024, 1024]]; // out x in
const BATCHES = [1, 64];
const KERNELS = ['heap_base', 'packed_i8_bytes', 'pack_i8', 'matmul_i8_simd', 'packed_f32_bytes', 'pack_f32', 'matmul_f32_simd'];
const SPIKE_DENSITY = 0.25;

const opts = parseArgs();
const cfg = opts.quick
  ? { warm: { minMs: 150, maxMs: 500 }, sampleMs: 5, minKept: 3, maxReps: 8 }
  : { warm: { minMs: 1000, maxMs: 3000 }, sampleMs: 20, minKept: 11, maxReps: 35 };

// ---------------------------------------------------------------- spikelet module
let spk = null, spkError = null;
try {
  spk = await loadSpikelet(KERNELS);
} catch (e) {
  spkError = e.message;
  log(`\n!!! spikelet kernels unavailable: ${spkError}\n!!! measuring the baselines only; exit code will be 1.\n`);
}

const ort = getOrt();

// ---------------------------------------------------------------- correctness
class Mismatch extends Error {}
function checkExactI32(what, got, want) {
  for (let i = 0; i < want.length; i++) {
    if (got[i] !== want[i]) throw new Mismatch(`${what}: element ${i} is ${got[i]}, plain JS gives ${want[i]}`);
  }
}
/** |got - want| <= 1e-4 * sum_k |x_k w_k| (the dot product's own magnitude; rel. error bound). */
function checkF32(what, got, want, x, Wio, batch, nOut, nIn) {
  for (let b = 0; b < batch; b++) {
    for (let j = 0; j < nOut; j++) {
      let scale = 0;
      for (let k = 0; k < nIn; k++) scale += Math.abs(x[b * nIn + k] * Wio[k * nOut + j]);
      const i = b * nOut + j, err = Math.abs(got[i] - want[i]);
      if (!(err <= 1e-4 * scale + 1e-30)) {
        throw new Mismatch(`${what}: element [${b},${j}] is ${got[i]}, plain JS gives ${want[i]} ` +
          `(|diff| ${err.toExponential(2)} > 1e-4 x ${scale.toExponential(2)})`);
      }
    }
  }
}

// ---------------------------------------------------------------- one case
function makeData(nOut, nIn, batch) {
  const r = rng(nOut * 100003 + nIn * 31 + batch);
  const Wi8 = new Int8Array(nOut * nIn);          // logical W[out][in], row-major
  for (let i = 0; i < Wi8.length; i++) Wi8[i] = Math.floor(r() * 256) - 128;
  const Wf32 = new Float32Array(nOut * nIn);
  for (let i = 0; i < Wf32.length; i++) Wf32[i] = r() * 2 - 1;
  const spikes = new Uint8Array(batch * nIn);
  for (let i = 0; i < spikes.length; i++) spikes[i] = r() < SPIKE_DENSITY ? 1 : 0;
  // Full-range activations, used only by the correctness check.
  const xi8Full = new Int8Array(batch * nIn);
  for (let i = 0; i < xi8Full.length; i++) xi8Full[i] = Math.floor(r() * 256) - 128;
  xi8Full[0] = -128;
  const xf32Full = new Float32Array(batch * nIn);
  for (let i = 0; i < xf32Full.length; i++) xf32Full[i] = r() * 2 - 1;
  return { Wi8, Wf32, spikes, xi8Full, xf32Full };
}

function transposeToInOut(W, nOut, nIn, Ctor) {
  const t = new Ctor(nIn * nOut);
  for (let o = 0; o < nOut; o++) for (let k = 0; k < nIn; k++) t[k * nOut + o] = W[o * nIn + k];
  return t;
}

/**
 * Sets up spikelet for one dtype: packs W into wasm memory, returns { call(xSrc) -> fn,
 * run(xSrc, yDst) } where the call copies x in, runs the kernel, copies y out.
 */
function spikeletCase(kind, W, nOut, nIn, batch) {
  const e = spk.exports;
  const outP = pad16(nOut), inP = pad16(nIn);
  const El = kind === 'i8' ? Int8Array : Float32Array;
  const OutEl = kind === 'i8' ? Int32Array : Float32Array;
  const es = El.BYTES_PER_ELEMENT;
  const packedBytes = Number(kind === 'i8' ? e.packed_i8_bytes(outP, inP) : e.packed_f32_bytes(outP, inP));
  const srcP = spk.alloc(outP * inP * es);
  const wP = spk.alloc(packedBytes);
  const xP = spk.alloc(batch * inP * es);
  const yP = spk.alloc(batch * outP * 4);
  // All allocations done: views are safe from here on (no further growth for this case).
  const buf = spk.memory.buffer;
  const src = new El(buf, srcP, outP * inP);
  src.fill(0);
  for (let o = 0; o < nOut; o++) src.set(W.subarray(o * nIn, (o + 1) * nIn), o * inP);
  (kind === 'i8' ? e.pack_i8 : e.pack_f32)(srcP, wP, outP, inP);
  const xW = new El(buf, xP, batch * inP);
  xW.fill(0); // the zero padding of every row (k >= nIn) is never written again
  const yW = new OutEl(buf, yP, batch * outP);
  const mm = kind === 'i8' ? e.matmul_i8_simd : e.matmul_f32_simd;
  const xRowsW = [], yRowsW = [];
  for (let b = 0; b < batch; b++) {
    xRowsW.push(b * inP);
    yRowsW.push(yW.subarray(b * outP, b * outP + nOut));
  }
  /** Returns the timed call for activations xSrc [batch, nIn] and outputs yDst [batch, nOut]. */
  function call(xSrc, yDst) {
    if (!(xSrc instanceof El) || xSrc.length !== batch * nIn) throw new Error('spikeletCase: bad x');
    const xRows = [];
    for (let b = 0; b < batch; b++) {
      xRows.push(xSrc.subarray(b * nIn, (b + 1) * nIn));
    }
    const dense = inP === nIn && outP === nOut;
    if (dense) {
      return () => {
        xW.set(xSrc);
        mm(wP, xP, yP, batch, outP, inP);
        yDst.set(yW);
      };
    }
    return () => {
      for (let b = 0; b < batch; b++) xW.set(xRows[b], xRowsW[b]);
      mm(wP, xP, yP, batch, outP, inP);
      for (let b = 0; b < batch; b++) yDst.set(yRowsW[b], b * nOut);
    };
  }
  return { call };
}

async function runCase(nOut, nIn, batch, probe) {
  const nameI8 = `matmul_i8/${nOut}x${nIn}/b${batch}`;
  const nameF32 = `matmul_f32/${nOut}x${nIn}/b${batch}`;
  const doI8 = selected(opts, nameI8), doF32 = selected(opts, nameF32);
  if (!doI8 && !doF32) return [];
  log(`-- ${nOut}x${nIn} batch ${batch}`);
  const d = makeData(nOut, nIn, batch);
  const impls = [];
  const sessions = [];
  if (spk) spk.reset();

  if (doI8) {
    const WioI8 = transposeToInOut(d.Wi8, nOut, nIn, Int8Array);
    const xI8 = new Int8Array(d.spikes.buffer.slice(0)); // same 0/1 spikes as int8
    const yJs = new Int32Array(batch * nOut);
    const jsFn = () => matmulI8(xI8, WioI8, yJs, batch, nOut, nIn);
    // Correctness of the baseline itself is by construction; check the others against it.
    const want = new Int32Array(batch * nOut);
    matmulI8(xI8, WioI8, want, batch, nOut, nIn);
    const wantFull = new Int32Array(batch * nOut);
    matmulI8(d.xi8Full, WioI8, wantFull, batch, nOut, nIn);

    const sess = await createSession(matmulIntegerModel(WioI8, batch, nIn, nOut));
    sessions.push(sess);
    const feeds = { x: new ort.Tensor('uint8', d.spikes, [batch, nIn]) };
    const ortRes = await sess.run(feeds);
    checkExactI32(`onnxruntime-web MatMulInteger ${nameI8}`, ortRes.y.data, want);
    const ortFn = async () => (await sess.run(feeds)).y.data;

    if (spk) {
      const c = spikeletCase('i8', d.Wi8, nOut, nIn, batch);
      const ySpk = new Int32Array(batch * nOut);
      const yFull = new Int32Array(batch * nOut);
      c.call(d.xi8Full, yFull)();
      checkExactI32(`spikelet matmul_i8_simd ${nameI8} (full-range int8 x)`, yFull, wantFull);
      const spkFn = c.call(xI8, ySpk);
      ySpk.fill(-1);
      spkFn();
      checkExactI32(`spikelet matmul_i8_simd ${nameI8} (spikes)`, ySpk, want);
      impls.push({ name: 'spk_i8', fn: spkFn, isAsync: false });
    }
    impls.push({ name: 'ort_i8', fn: ortFn, isAsync: true });
    impls.push({ name: 'js_i8', fn: jsFn, isAsync: false });
  }

  if (doF32) {
    const WioF32 = transposeToInOut(d.Wf32, nOut, nIn, Float32Array);
    const xF32 = Float32Array.from(d.spikes);
    const yJs = new Float32Array(batch * nOut);
    const jsFn = () => matmulF32(xF32, WioF32, yJs, batch, nOut, nIn);
    const want = new Float32Array(batch * nOut);
    matmulF32(xF32, WioF32, want, batch, nOut, nIn);
    const wantFull = new Float32Array(batch * nOut);
    matmulF32(d.xf32Full, WioF32, wantFull, batch, nOut, nIn);

    const sess = await createSession(matmulF32Model(WioF32, batch, nIn, nOut));
    sessions.push(sess);
    const feeds = { x: new ort.Tensor('float32', xF32, [batch, nIn]) };
    const ortRes = await sess.run(feeds);
    checkF32(`onnxruntime-web MatMul ${nameF32}`, ortRes.y.data, want, xF32, WioF32, batch, nOut, nIn);
    const ortFn = async () => (await sess.run(feeds)).y.data;

    if (spk) {
      const c = spikeletCase('f32', d.Wf32, nOut, nIn, batch);
      const ySpk = new Float32Array(batch * nOut);
      const yFull = new Float32Array(batch * nOut);
      c.call(d.xf32Full, yFull)();
      checkF32(`spikelet matmul_f32_simd ${nameF32} (random x)`, yFull, wantFull, d.xf32Full, WioF32, batch, nOut, nIn);
      const spkFn = c.call(xF32, ySpk);
      ySpk.fill(NaN);
      spkFn();
      checkF32(`spikelet matmul_f32_simd ${nameF32} (spikes)`, ySpk, want, xF32, WioF32, batch, nOut, nIn);
      impls.push({ name: 'spk_f32', fn: spkFn, isAsync: false });
    }
    impls.push({ name: 'ort_f32', fn: ortFn, isAsync: true });
    impls.push({ name: 'js_f32', fn: jsFn, isAsync: false });
  }

  // Warm every implementation until its timing settles, then size its samples.
  const warm = {};
  for (const impl of impls) {
    const w = await warmUp(impl, cfg.warm);
    warm[impl.name] = w;
    impl.calls = callsFor(w.perCallMs, cfg.sampleMs);
    if (!w.settled) log(`   warm-up of ${impl.name} did not settle within ${cfg.warm.maxMs} ms (continuing)`);
  }

  const m = await measureInterleaved(impls, probe, { minKept: cfg.minKept, maxReps: cfg.maxReps });
  if (m.relaxed) {
    log(`   fewer than ${cfg.minKept} of ${m.reps} repetitions passed the probe filter; using the ${m.kept} ` +
      `with the fastest probes (slowest at ${(m.keptProbeFloor * 100).toFixed(0)}% of the best probe)`);
  }
  for (const s of sessions) await s.release();

  const macs = batch * nOut * nIn;
  const gmacs = (name) => (name in m.msPerCall ? macs / (m.msPerCall[name] * 1e6) : NaN);
  const rows = [];
  for (const [kind, name, on] of [['i8', nameI8, doI8], ['f32', nameF32, doF32]]) {
    if (!on) continue;
    const row = {
      kind, name, nOut, nIn, batch,
      spk: gmacs(`spk_${kind}`), ort: gmacs(`ort_${kind}`), js: gmacs(`js_${kind}`),
      spkUs: (m.msPerCall[`spk_${kind}`] ?? NaN) * 1e3, ortUs: m.msPerCall[`ort_${kind}`] * 1e3, jsUs: m.msPerCall[`js_${kind}`] * 1e3,
      pairedOrt: spk ? pairedRatio(m.samples, `spk_${kind}`, `ort_${kind}`) : NaN,
      pairedJs: spk ? pairedRatio(m.samples, `spk_${kind}`, `js_${kind}`) : NaN,
      kept: m.kept, reps: m.reps, dropped: m.dropped, relaxed: m.relaxed,
      unsettled: Object.entries(warm).filter(([n, w]) => n.endsWith(kind) && !w.settled).map(([n]) => n),
    };
    rows.push(row);
    log(`   ${name}: spikelet ${fmt3(row.spk)}  ORT ${fmt3(row.ort)}  JS ${fmt3(row.js)} GMAC/s  (kept ${m.kept}/${m.reps})`);
    if (opts.json && spk) {
      const common = {
        name, value: round3(row.spk), unit: 'GMAC/s', machine: machineShort(), dropped: m.dropped, kept: m.kept,
        ...(m.relaxed ? { probe_relaxed: true } : {}), ...(opts.quick ? { quick: true } : {}),
      };
      emitJson({ ...common, baseline: 'plain-js', baseline_value: round3(row.js), ratio: round3(row.spk / row.js), ratio_paired: round3(row.pairedJs) });
      emitJson({ ...common, baseline: 'onnxruntime-web', baseline_value: round3(row.ort), ratio: round3(row.spk / row.ort), ratio_paired: round3(row.pairedOrt) });
    }
  }
  return rows;
}

// ---------------------------------------------------------------- main
const t0 = performance.now();
log(`matmul bench: ${machineLine()}; onnxruntime-web ${ortVersion()} (wasm, 1 thread, SIMD); ` +
  `spikelet ${spk ? spk.path : 'MISSING'}${opts.quick ? '; --quick (smoke test, not for reporting)' : ''}`);
const probe = makeProbe();
probe.warm(opts.quick ? 100 : 300);

const rows = [];
try {
  for (const [nOut, nIn] of SHAPES) {
    for (const batch of BATCHES) rows.push(...await runCase(nOut, nIn, batch, probe));
  }
} catch (e) {
  if (e instanceof Mismatch) {
    log(`\n!!! CORRECTNESS FAILURE, nothing timed for this case or later ones:\n!!! ${e.message}\n`);
    process.exit(3);
  }
  throw e;
}
if (rows.length === 0) log(`no case matches --filter ${JSON.stringify(opts.filter)}`);

if (!opts.json && rows.length) {
  const out = [];
  out.push('');
  out.push(`Dense matmul y[batch,out] = x[batch,in] . W^T, GMAC/s (median of kept repetitions); ` +
    `ratio = spikelet / baseline (higher is better for spikelet).`);
  out.push(`Machine: ${machineLine()}. onnxruntime-web ${ortVersion()}, wasm backend, 1 thread, SIMD.`);
  out.push('A call includes copying activations into wasm memory and outputs out to a JS typed array ' +
    '(spikelet), session.run with its own copies (ORT); hot cache (same buffers every call).');
  out.push('MACs = batch*out*in with in = 700 for 128x700 for every implementation (spikelet pads to 704).');
  out.push(`Repetitions: all implementations interleaved; a repetition is dropped when the plain-JS probe ` +
    `before or after it ran below ${PROBE_KEEP * 100}% of the best probe speed.`);
  const title = { i8: 'int8: spikelet matmul_i8_simd (s8 x s8 -> s32) vs ORT MatMulInteger (u8 x s8 -> s32) vs plain JS (Int8Array -> Int32Array)',
    f32: 'f32: spikelet matmul_f32_simd vs ORT MatMul vs plain JS (Float32Array)' };
  for (const kind of ['i8', 'f32']) {
    const rs = rows.filter((r) => r.kind === kind);
    if (!rs.length) continue;
    const t = [['out x in', 'batch', 'spikelet', 'ORT', 'plain JS', 'spk/ORT', 'spk/JS', 'spk us/call', 'ORT us/call', 'kept/reps']];
    for (const r of rs) {
      t.push([`${r.nOut}x${r.nIn}`, String(r.batch), spk ? fmt3(r.spk) : 'missing', fmt3(r.ort), fmt3(r.js),
        spk ? fmt3(r.spk / r.ort) : '-', spk ? fmt3(r.spk / r.js) : '-',
        spk ? fmt3(r.spkUs) : '-', fmt3(r.ortUs), `${r.kept}/${r.reps}${r.relaxed ? ' !' : ''}${r.unsettled.length ? ' *' : ''}`]);
    }
    out.push('', title[kind], formatTable(t));
  }
  if (rows.some((r) => r.relaxed)) {
    out.push(`! fewer than ${cfg.minKept} repetitions passed the probe filter: the ${cfg.minKept} with the fastest probes were used (machine busy)`);
  }
  if (rows.some((r) => r.unsettled.length)) out.push('* a warm-up did not settle within its time limit');
  if (opts.quick) out.push('', '--quick: few repetitions, smoke test only; do not report these figures.');
  out.push(`(total ${((performance.now() - t0) / 1000).toFixed(0)} s)`);
  process.stdout.write(out.join('\n') + '\n');
}
if (!spk) {
  log(`\n!!! spikelet kernels were unavailable (${spkError}); only baselines were measured.`);
  process.exit(1);
}
