// Plain-JavaScript baselines: the obvious, well-written i-k-j loops a JS developer would write.
// W is stored [in, out] (row k holds the weights from input k to every output), so the inner
// loop runs over contiguous outputs; y is [batch, out] and is overwritten.
// Kept as separate monomorphic functions per element type so V8 optimises each for one array kind.

/** y[b, j] = sum_k x[b, k] * W[k, j] with Float32Array x [batch, in], W [in, out], y [batch, out]. */
export function matmulF32(x, W, y, batch, nOut, nIn) {
  y.fill(0, 0, batch * nOut);
  for (let b = 0; b < batch; b++) {
    const xo = b * nIn, yo = b * nOut;
    for (let k = 0; k < nIn; k++) {
      const xv = x[xo + k];
      const wo = k * nOut;
      for (let j = 0; j < nOut; j++) y[yo + j] += xv * W[wo + j];
    }
  }
}

/** Same with Int8Array x, W and Int32Array y (exact integer arithmetic). */
export function matmulI8(x, W, y, batch, nOut, nIn) {
  y.fill(0, 0, batch * nOut);
  for (let b = 0; b < batch; b++) {
    const xo = b * nIn, yo = b * nOut;
    for (let k = 0; k < nIn; k++) {
      const xv = x[xo + k];
      const wo = k * nOut;
      for (let j = 0; j < nOut; j++) y[yo + j] += xv * W[wo + j];
    }
  }
}

/** Exact f64 reference and the per-element error scale sum_k |x[b,k] W[k,j]|, for tolerance checks. */
export function matmulF64WithScale(x, W, batch, nOut, nIn) {
  const y = new Float64Array(batch * nOut), s = new Float64Array(batch * nOut);
  for (let b = 0; b < batch; b++) {
    for (let k = 0; k < nIn; k++) {
      const xv = x[b * nIn + k];
      for (let j = 0; j < nOut; j++) {
        const p = xv * W[k * nOut + j];
        y[b * nOut + j] += p;
        s[b * nOut + j] += Math.abs(p);
      }
    }
  }
  return { y, scale: s };
}

/** Deterministic PRNG (mulberry32) so every run uses the same data. */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
