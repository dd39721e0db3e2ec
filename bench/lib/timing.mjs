// Timing that survives a noisy 2-vCPU machine (see /work/shared/BENCHMARKING.md):
//  - warm every implementation until its per-call time settles (not for a fixed count);
//  - interleave all implementations of one case in the same repetition, rotating the order;
//  - time a fixed plain-JS probe between repetitions and drop a repetition when the probe on
//    either side of it ran below PROBE_KEEP (85 %) of the best probe speed seen in the process;
//  - report the median of the kept repetitions (at least `minKept`) and how many were dropped.

export const PROBE_KEEP = 0.85;

const now = () => performance.now();

/**
 * The probe: a 256x256 f32 mat-vec in plain JS, repeated to take ~1.5 ms. Its own function
 * (not the baseline's), so its JIT state never depends on what is being measured.
 */
export function makeProbe(repeat = 16) {
  const n = 256;
  const W = new Float32Array(n * n), x = new Float32Array(n), y = new Float32Array(n);
  for (let i = 0; i < W.length; i++) W[i] = ((i * 7919) % 255) / 255 - 0.5;
  for (let i = 0; i < n; i++) x[i] = ((i * 31) % 17) / 17;
  function probeMatvec() {
    for (let r = 0; r < repeat; r++) {
      y.fill(0);
      for (let k = 0; k < n; k++) {
        const xv = x[k], wo = k * n;
        for (let j = 0; j < n; j++) y[j] += xv * W[wo + j];
      }
    }
    return y[0];
  }
  const probe = {
    bestMs: Infinity,
    /** Runs the probe once; returns its time in ms and updates the best. */
    run() {
      const t0 = now();
      probeMatvec();
      const ms = now() - t0;
      if (ms < probe.bestMs) probe.bestMs = ms;
      return ms;
    },
    /** True if a probe time `ms` is fast enough (speed >= PROBE_KEEP x best speed). */
    ok(ms) {
      return probe.bestMs / ms >= PROBE_KEEP;
    },
    /** Warm the probe itself (JIT) for `ms` milliseconds. */
    warm(ms = 300) {
      const t0 = now();
      while (now() - t0 < ms) probe.run();
    },
  };
  return probe;
}

/** Runs impl.fn n times and returns ms per call. impl.isAsync: fn returns a promise. */
export async function timeCalls(impl, n) {
  const fn = impl.fn;
  if (impl.isAsync) {
    const t0 = now();
    for (let i = 0; i < n; i++) await fn();
    return (now() - t0) / n;
  }
  const t0 = now();
  for (let i = 0; i < n; i++) fn();
  return (now() - t0) / n;
}

/**
 * Warm `impl` until its per-call time settles: windows of ~windowMs; stop once at least minMs
 * has passed and the last `settleWindows` windows agree within `tolerance` (max/min - 1), or
 * at maxMs. Returns { perCallMs, settled, elapsedMs, windows }.
 */
export async function warmUp(impl, { minMs = 1000, maxMs = 4000, windowMs = 100, settleWindows = 3, tolerance = 0.05 } = {}) {
  const t0 = now();
  let calls = 1;
  const times = [];
  for (;;) {
    const tw = now();
    const perCall = await timeCalls(impl, calls);
    const took = now() - tw;
    times.push(perCall);
    // Size the next window to ~windowMs.
    calls = Math.max(1, Math.min(calls * 8, Math.round(windowMs / Math.max(perCall, 1e-6))));
    const elapsed = now() - t0;
    if (took >= windowMs * 0.5 && times.length >= settleWindows) {
      const last = times.slice(-settleWindows);
      const spread = Math.max(...last) / Math.min(...last) - 1;
      if (elapsed >= minMs && spread <= tolerance) {
        return { perCallMs: Math.min(...last), settled: true, elapsedMs: elapsed, windows: times.length };
      }
    }
    if (elapsed >= maxMs) {
      return { perCallMs: Math.min(...times.slice(-settleWindows)), settled: false, elapsedMs: elapsed, windows: times.length };
    }
  }
}

export function median(a) {
  if (a.length === 0) return NaN;
  const s = [...a].sort((p, q) => p - q);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Interleaved, probe-filtered repetitions of several implementations of the same case.
 * impls: [{ name, fn, isAsync, calls }] (calls = calls per sample, from calibrate()).
 * Keeps repeating until `minKept` repetitions pass the probe filter or `maxReps` is reached;
 * if fewer passed by then, keeps the `minKept` with the fastest probes and sets relaxed = true.
 * Returns { msPerCall: {name: median ms over kept reps}, samples: {name: [ms per kept rep]},
 *           reps, kept, dropped, relaxed, keptProbeFloor }.
 */
export async function measureInterleaved(impls, probe, { minKept = 11, maxReps = 40 } = {}) {
  const probes = [probe.run()];
  const all = []; // all[r][i] = ms per call of impls[i] in repetition r
  const keptIdx = () => {
    const k = [];
    for (let r = 0; r < all.length; r++) if (probe.ok(probes[r]) && probe.ok(probes[r + 1])) k.push(r);
    return k;
  };
  while (all.length < maxReps && keptIdx().length < minKept) {
    const r = all.length;
    const row = new Array(impls.length);
    for (let j = 0; j < impls.length; j++) {
      const i = (j + r) % impls.length; // rotate who goes first
      row[i] = await timeCalls(impls[i], impls[i].calls);
    }
    all.push(row);
    probes.push(probe.run());
  }
  let kept = keptIdx();
  let relaxed = false;
  if (kept.length < minKept) {
    // The machine stayed slower than its best moment for the whole budget. Rather than report
    // nothing, use the minKept repetitions whose surrounding probes were fastest, and say so.
    relaxed = true;
    const worstProbe = (r) => Math.max(probes[r], probes[r + 1]);
    kept = all.map((_, r) => r).sort((a, b) => worstProbe(a) - worstProbe(b)).slice(0, minKept).sort((a, b) => a - b);
  }
  const samples = {}, msPerCall = {};
  impls.forEach((impl, i) => {
    samples[impl.name] = kept.map((r) => all[r][i]);
    msPerCall[impl.name] = median(samples[impl.name]);
  });
  const slowestKeptProbe = Math.max(...kept.map((r) => Math.max(probes[r], probes[r + 1])));
  return {
    msPerCall, samples, reps: all.length, kept: kept.length, dropped: all.length - kept.length, relaxed,
    // Speed of the slowest probe next to a kept repetition, relative to the best probe (<= 1).
    keptProbeFloor: probe.bestMs / slowestKeptProbe,
  };
}

/** Calls per sample so one sample takes about targetMs (at least 1). */
export function callsFor(perCallMs, targetMs) {
  return Math.max(1, Math.round(targetMs / Math.max(perCallMs, 1e-6)));
}

/** Median over kept repetitions of the paired speed ratio a/b (= time_b / time_a). */
export function pairedRatio(samples, a, b) {
  const ta = samples[a], tb = samples[b];
  return median(ta.map((t, i) => tb[i] / t));
}
