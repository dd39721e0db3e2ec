// Dense kernels vs their scalar references, in both the debug (assertions on) and release
// builds. Integer kernels must match exactly; f32 within 1e-5·Σ|w·x| (see matmul_f32_simd.ts).
// The refs themselves are checked against a plain JS computation on a subset of shapes, so a
// ref and a SIMD kernel cannot agree on the same wrong answer.
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { rng } from './helpers/random.js';

const BUILDS = ['spikelet.debug.wasm', 'spikelet.wasm'] as const;
const BATCHES = [1, 2, 3, 5, 64, 67];
const OUTS = [16, 32, 48, 128];
const INS = [16, 32, 704];
const GUARD = 64; // bytes checked for stray writes after every output / packed buffer
const SENTINEL = 0xa5;

type Kernel = (w: number, x: number, y: number, batch: number, outP: number, inP: number) => void;
interface Exports {
  heap_base(): number;
  packed_i8_bytes(outP: number, inP: number): number;
  packed_f32_bytes(outP: number, inP: number): number;
  pack_i8(src: number, dst: number, outP: number, inP: number): void;
  pack_f32(src: number, dst: number, outP: number, inP: number): void;
  [name: string]: unknown;
}

const mulberry32 = rng;

function load(file: string) {
  const bytes = readFileSync(fileURLToPath(new URL(`../build/${file}`, import.meta.url)));
  const memory = new WebAssembly.Memory({ initial: 64 });
  const inst = new WebAssembly.Instance(new WebAssembly.Module(bytes), {
    env: { memory, abort() { throw new Error('abort'); } },
  });
  return { memory, ex: inst.exports as unknown as Exports };
}

/** Bump allocator over the module's memory, 16-byte aligned, above heap_base(). */
class Arena {
  private top: number;
  constructor(private readonly memory: WebAssembly.Memory, base: number) { this.top = (base + 15) & ~15; }
  alloc(bytes: number): number {
    const p = this.top;
    this.top = (p + bytes + GUARD + 15) & ~15;
    const need = this.top - this.memory.buffer.byteLength;
    if (need > 0) this.memory.grow(Math.ceil(need / 65536));
    new Uint8Array(this.memory.buffer, p, bytes + GUARD).fill(SENTINEL);
    return p;
  }
}

function checkGuard(memory: WebAssembly.Memory, end: number, what: string): void {
  const g = new Uint8Array(memory.buffer, end, GUARD);
  const bad = g.findIndex((v) => v !== SENTINEL);
  if (bad >= 0) throw new Error(`${what}: wrote ${bad} bytes past its end`);
}

type Act = 'i8' | 'i16' | 'f32';
interface Case { kind: 'i8' | 'i8i16' | 'f32'; simd: string; ref: string; act: Act }
const CASES: Case[] = [
  { kind: 'i8', simd: 'matmul_i8_simd', ref: 'matmul_i8_ref', act: 'i8' },
  { kind: 'i8i16', simd: 'matmul_i8i16_simd', ref: 'matmul_i8i16_ref', act: 'i16' },
  { kind: 'f32', simd: 'matmul_f32_simd', ref: 'matmul_f32_ref', act: 'f32' },
];

type Fill = 'random' | 'zeros' | 'max' | 'min' | 'mixed';

function makeInputs(c: Case, fill: Fill, seed: number, batch: number, outP: number, inP: number) {
  const r = mulberry32(seed);
  const isF = c.kind === 'f32';
  const W = isF ? new Float32Array(outP * inP) : new Int8Array(outP * inP);
  const X = c.act === 'f32' ? new Float32Array(batch * inP) : c.act === 'i16' ? new Int16Array(batch * inP) : new Int8Array(batch * inP);
  const xmax = c.act === 'i16' ? 32767 : 127, xmin = c.act === 'i16' ? -32768 : -128;
  for (let i = 0; i < W.length; i++) {
    W[i] = fill === 'zeros' ? 0 : fill === 'max' ? 127 : fill === 'min' ? -128 : fill === 'mixed' ? (r() < 0.5 ? 127 : -128)
      : isF ? r() * 2 - 1 : Math.floor(r() * 256) - 128;
  }
  for (let i = 0; i < X.length; i++) {
    X[i] = fill === 'zeros' ? 0 : fill === 'max' ? xmax : fill === 'min' ? xmin : fill === 'mixed' ? (r() < 0.5 ? xmax : xmin)
      : isF ? r() * 2 - 1 : Math.floor(r() * (xmax - xmin + 1)) + xmin;
  }
  if (isF && fill !== 'random' && fill !== 'zeros') { // f32 "extremes": large magnitudes of both signs
    for (let i = 0; i < W.length; i++) W[i] = (r() < 0.5 ? 1 : -1) * 1e3;
    for (let i = 0; i < X.length; i++) X[i] = (r() < 0.5 ? 1 : -1) * 1e3;
  }
  return { W, X };
}

/** Runs pack + SIMD + ref for one case; returns the first mismatch as a message, or null. */
function runCase(memory: WebAssembly.Memory, ex: Exports, c: Case, fill: Fill, seed: number,
  batch: number, outP: number, inP: number, checkRefWithJs: boolean): string | null {
  const arena = new Arena(memory, ex.heap_base());
  const { W, X } = makeInputs(c, fill, seed, batch, outP, inP);
  const isF = c.kind === 'f32';
  const packedBytes = isF ? ex.packed_f32_bytes(outP, inP) : ex.packed_i8_bytes(outP, inP);
  const wRaw = arena.alloc(W.byteLength), wPk = arena.alloc(packedBytes), x = arena.alloc(X.byteLength);
  const ySimd = arena.alloc(batch * outP * 4), yRef = arena.alloc(batch * outP * 4);
  new Uint8Array(memory.buffer, wRaw, W.byteLength).set(new Uint8Array(W.buffer));
  new Uint8Array(memory.buffer, x, X.byteLength).set(new Uint8Array(X.buffer));
  (isF ? ex.pack_f32 : ex.pack_i8)(wRaw, wPk, outP, inP);
  checkGuard(memory, wPk + packedBytes, isF ? 'pack_f32' : 'pack_i8');
  (ex[c.simd] as Kernel)(wPk, x, ySimd, batch, outP, inP);
  (ex[c.ref] as Kernel)(wRaw, x, yRef, batch, outP, inP);
  checkGuard(memory, ySimd + batch * outP * 4, c.simd);
  checkGuard(memory, yRef + batch * outP * 4, c.ref);
  const n = batch * outP;
  const tag = `seed ${seed}, fill ${fill}, batch ${batch}, outP ${outP}, inP ${inP}`;
  if (isF) {
    const ys = new Float32Array(memory.buffer, ySimd, n), yr = new Float32Array(memory.buffer, yRef, n);
    for (let e = 0; e < n; e++) {
      const b = Math.floor(e / outP), o = e % outP;
      let abs = 0, exact = 0;
      for (let i = 0; i < inP; i++) { const p = W[o * inP + i] * X[b * inP + i]; abs += Math.abs(p); exact += p; }
      const tol = 1e-5 * abs + 1e-30;
      if (!(Math.abs(ys[e] - yr[e]) <= tol)) return `${c.simd} at element ${e} / ${n} (${tag}): ${ys[e]} vs ref ${yr[e]}, tol ${tol}`;
      if (checkRefWithJs && !(Math.abs(yr[e] - exact) <= tol)) return `${c.ref} at element ${e} / ${n} (${tag}): ${yr[e]} vs f64 ${exact}`;
    }
  } else {
    const ys = new Int32Array(memory.buffer, ySimd, n), yr = new Int32Array(memory.buffer, yRef, n);
    for (let e = 0; e < n; e++) {
      if (ys[e] !== yr[e]) return `${c.simd} at element ${e} / ${n} (${tag}): ${ys[e]} vs ref ${yr[e]}`;
      if (checkRefWithJs) {
        const b = Math.floor(e / outP), o = e % outP;
        let acc = 0;
        for (let i = 0; i < inP; i++) acc = (acc + W[o * inP + i] * X[b * inP + i]) | 0; // int32 wrap, like the kernels
        if (yr[e] !== acc) return `${c.ref} at element ${e} / ${n} (${tag}): ${yr[e]} vs JS ${acc}`;
      }
    }
  }
  return null;
}

for (const file of BUILDS) {
  describe(`dense kernels (${file})`, () => {
    const { memory, ex } = load(file);

    it('packed sizes', () => {
      expect(ex.packed_i8_bytes(16, 704)).toBe(16 * 704 * 2);
      expect(ex.packed_f32_bytes(48, 32)).toBe(48 * 32 * 4);
    });

    it('pack_i8 writes the p4c8 int16 layout', () => {
      const arena = new Arena(memory, ex.heap_base());
      const outP = 16, inP = 32, src = arena.alloc(outP * inP), dst = arena.alloc(ex.packed_i8_bytes(outP, inP));
      const W = new Int8Array(memory.buffer, src, outP * inP);
      for (let i = 0; i < W.length; i++) W[i] = ((i * 37) % 256) - 128;
      ex.pack_i8(src, dst, outP, inP);
      const P = new Int16Array(memory.buffer, dst, outP * inP);
      for (let p = 0; p < outP / 4; p++) for (let k = 0; k < inP / 8; k++) for (let j = 0; j < 4; j++) for (let c = 0; c < 8; c++) {
        expect(P[((p * (inP / 8) + k) * 4 + j) * 8 + c]).toBe(W[(4 * p + j) * inP + 8 * k + c]);
      }
      checkGuard(memory, dst + ex.packed_i8_bytes(outP, inP), 'pack_i8');
    });

    it('pack_f32 writes the p4c4 layout', () => {
      const arena = new Arena(memory, ex.heap_base());
      const outP = 16, inP = 32, src = arena.alloc(outP * inP * 4), dst = arena.alloc(ex.packed_f32_bytes(outP, inP));
      const W = new Float32Array(memory.buffer, src, outP * inP);
      for (let i = 0; i < W.length; i++) W[i] = i + 0.5;
      ex.pack_f32(src, dst, outP, inP);
      const P = new Float32Array(memory.buffer, dst, outP * inP);
      for (let p = 0; p < outP / 4; p++) for (let k = 0; k < inP / 4; k++) for (let j = 0; j < 4; j++) for (let c = 0; c < 4; c++) {
        expect(P[((p * (inP / 4) + k) * 4 + j) * 4 + c]).toBe(W[(4 * p + j) * inP + 4 * k + c]);
      }
      checkGuard(memory, dst + ex.packed_f32_bytes(outP, inP), 'pack_f32');
    });

    for (const c of CASES) {
      it(`${c.simd} matches ${c.ref} on random inputs`, () => {
        let seed = 1;
        for (const batch of BATCHES) for (const outP of OUTS) for (const inP of INS) {
          // the JS check of the ref is O(batch·outP·inP) in JS: do it on every shape but the largest
          const jsCheck = batch * outP * inP <= 64 * 128 * 704;
          const msg = runCase(memory, ex, c, 'random', seed++, batch, outP, inP, jsCheck);
          if (msg) expect.fail(msg);
        }
      });

      it(`${c.simd} matches ${c.ref} on edge values`, () => {
        let seed = 1000;
        for (const fill of ['zeros', 'max', 'min', 'mixed'] as const) {
          for (const [batch, outP, inP] of [[1, 16, 16], [3, 48, 704], [67, 32, 32], [5, 128, 704]]) {
            const msg = runCase(memory, ex, c, fill, seed++, batch, outP, inP, true);
            if (msg) expect.fail(msg);
          }
        }
      });
    }

    it('int16 activations at ±32767/−32768 are exact where int32 cannot wrap (inP 496)', () => {
      // 128·32768·496 < 2^31: the JS sum in doubles must equal the kernel without any wrap.
      const c = CASES[1];
      for (const fill of ['max', 'min', 'mixed'] as const) {
        const msg = runCase(memory, ex, c, fill, 77, 3, 16, 496, true);
        if (msg) expect.fail(msg);
      }
    });

    it('outputs are overwritten, not accumulated', () => {
      const arena = new Arena(memory, ex.heap_base());
      const outP = 16, inP = 16, batch = 3;
      const w = arena.alloc(ex.packed_f32_bytes(outP, inP)), x = arena.alloc(batch * inP * 4), y = arena.alloc(batch * outP * 4);
      new Uint8Array(memory.buffer, w, ex.packed_f32_bytes(outP, inP)).fill(0);
      new Uint8Array(memory.buffer, x, batch * inP * 4).fill(0);
      for (const k of ['matmul_i8_simd', 'matmul_i8i16_simd', 'matmul_f32_simd']) {
        new Int32Array(memory.buffer, y, batch * outP).fill(12345);
        (ex[k] as Kernel)(w, x, y, batch, outP, inP);
        expect(Array.from(new Int32Array(memory.buffer, y, batch * outP)).every((v) => v === 0), k).toBe(true);
      }
    });
  });
}
