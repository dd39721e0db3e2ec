// Optimizer updates over the flat parameter vector, and the small vector helpers training
// needs (norms for clipping, scaling, clamping, transposes). One call updates one contiguous
// segment of parameters (the host calls once per segment: weights, biases, decays,
// thresholds), so no JavaScript runs per parameter. n a multiple of 4 (segments are padded).

/**
 * Adam / AdamW step: m ← b1·m + (1 − b1)·g; v ← b2·v + (1 − b2)·g²;
 * p ← p − lr·(m/bc1) / (√(v/bc2) + eps) − lr·wd·p (decoupled = 1, AdamW) or with
 * g ← g + wd·p first (decoupled = 0, Adam's L2). bc1 = 1 − b1^t, bc2 = 1 − b2^t (host).
 */
export function tr_adam_f32(p: usize, g: usize, m: usize, v: usize, n: i32, lr: f32, b1: f32, b2: f32, eps: f32,
                            wd: f32, bc1: f32, bc2: f32, decoupled: i32): void {
  const vb1 = f32x4.splat(b1), vc1 = f32x4.splat(1 - b1), vb2 = f32x4.splat(b2), vc2 = f32x4.splat(1 - b2);
  const vlr = f32x4.splat(lr), veps = f32x4.splat(eps), vwd = f32x4.splat(wd);
  const ib1 = f32x4.splat(1 / bc1), ib2 = f32x4.splat(1 / bc2), vdec = f32x4.splat(lr * wd);
  for (let i = 0; i < n; i += 4) {
    const o = <usize>i << 2;
    const pv = v128.load(p + o);
    let gv = v128.load(g + o);
    if (decoupled == 0 && wd != 0) gv = f32x4.add(gv, f32x4.mul(vwd, pv));
    const mv = f32x4.add(f32x4.mul(vb1, v128.load(m + o)), f32x4.mul(vc1, gv));
    const vv = f32x4.add(f32x4.mul(vb2, v128.load(v + o)), f32x4.mul(vc2, f32x4.mul(gv, gv)));
    v128.store(m + o, mv);
    v128.store(v + o, vv);
    const step = f32x4.div(f32x4.mul(mv, ib1), f32x4.add(f32x4.sqrt(f32x4.mul(vv, ib2)), veps));
    let np = f32x4.sub(pv, f32x4.mul(vlr, step));
    if (decoupled != 0 && wd != 0) np = f32x4.sub(np, f32x4.mul(vdec, pv));
    v128.store(p + o, np);
  }
}

/**
 * SGD with momentum (PyTorch convention): g ← g + wd·p; buf ← μ·buf + g (buf = g at the first
 * step, first = 1); p ← p − lr·(nesterov ? g + μ·buf : buf). μ = 0: plain SGD (buf unused).
 */
export function tr_sgd_f32(p: usize, g: usize, buf: usize, n: i32, lr: f32, mu: f32, wd: f32, nesterov: i32,
                           first: i32): void {
  const vlr = f32x4.splat(lr), vmu = f32x4.splat(mu), vwd = f32x4.splat(wd);
  for (let i = 0; i < n; i += 4) {
    const o = <usize>i << 2;
    const pv = v128.load(p + o);
    let gv = v128.load(g + o);
    if (wd != 0) gv = f32x4.add(gv, f32x4.mul(vwd, pv));
    let d = gv;
    if (mu != 0) {
      const bv = first != 0 ? gv : f32x4.add(f32x4.mul(vmu, v128.load(buf + o)), gv);
      v128.store(buf + o, bv);
      d = nesterov != 0 ? f32x4.add(gv, f32x4.mul(vmu, bv)) : bv;
    }
    v128.store(p + o, f32x4.sub(pv, f32x4.mul(vlr, d)));
  }
}

/** Σ x² over n f32 (accumulated in f64), for gradient-norm clipping. */
export function tr_sumsq_f32(x: usize, n: i32): f64 {
  let s0: f64 = 0, s1: f64 = 0, s2: f64 = 0, s3: f64 = 0;
  for (let i = 0; i < n; i += 4) {
    const o = <usize>i << 2;
    const a = <f64>load<f32>(x + o), b = <f64>load<f32>(x + o, 4), c = <f64>load<f32>(x + o, 8), d = <f64>load<f32>(x + o, 12);
    s0 += a * a; s1 += b * b; s2 += c * c; s3 += d * d;
  }
  return (s0 + s1) + (s2 + s3);
}

/** Number of non-finite values (NaN, ±∞) in x [n]. */
export function tr_count_nonfinite_f32(x: usize, n: i32): i32 {
  let c = 0;
  for (let i = 0; i < n; i++) {
    const v = load<f32>(x + (<usize>i << 2));
    if (!isFinite(v)) c++;
  }
  return c;
}

/** x ← s·x over n f32 (n a multiple of 4). */
export function tr_scale_f32(x: usize, n: i32, s: f32): void {
  const vs = f32x4.splat(s);
  for (let i = 0; i < n; i += 4) {
    const o = <usize>i << 2;
    v128.store(x + o, f32x4.mul(v128.load(x + o), vs));
  }
}

/** x ← min(max(x, lo), hi) over the first n f32 (the rest of a padded segment is left alone). */
export function tr_clamp_f32(x: usize, n: i32, lo: f32, hi: f32): void {
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(x + o, min(max(load<f32>(x + o), lo), hi));
  }
}

/** dst[c, r] = src[r, c] for r < rows, c < cols; strides in elements (dst pads untouched). */
export function tr_transpose_f32(src: usize, rows: i32, cols: i32, srcStride: i32, dst: usize, dstStride: i32): void {
  for (let r = 0; r < rows; r++) {
    const sr = src + (<usize>(r * srcStride) << 2);
    for (let c = 0; c < cols; c++) {
      store<f32>(dst + (<usize>(c * dstStride + r) << 2), load<f32>(sr + (<usize>c << 2)));
    }
  }
}
