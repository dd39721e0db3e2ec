// Philox4x32-10 and the noise / reset streams: known answers (Random123 kat_vectors), and the
// wasm kernels equal the TypeScript twin bit for bit.
import { describe, it, expect } from 'vitest';
import { philox4x32, noiseVector, resetUniforms } from '../src/es/rng.js';
import { detCos, detSin, detLogU32h } from '../src/envs/trig.js';
import { embeddedInstance } from './helpers/kernels.js';


describe('Philox4x32-10', () => {
  it('matches the Random123 known-answer vectors (TS and wasm)', () => {
    const kat: [number[], number[], number[]][] = [
      [[0, 0, 0, 0], [0, 0], [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8]],
      [[0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff], [0xffffffff, 0xffffffff], [0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd]],
      [[0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344], [0xa4093822, 0x299f31d0], [0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1]],
    ];
    const { memory, ex, base } = embeddedInstance();
    for (const [c, k, want] of kat) {
      expect(Array.from(philox4x32(c, k[0], k[1]))).toEqual(want);
      ex.philox4x32_ref(base, c[0], c[1], c[2], c[3], k[0], k[1]);
      expect(Array.from(new Uint32Array(memory.buffer, base, 4))).toEqual(want);
    }
  });

  it('noise vectors: wasm equals TS bit for bit, and they look standard normal', () => {
    const { memory, ex, base } = embeddedInstance();
    let sum = 0, sq = 0, n = 0;
    // Members 0…3 mod 4 reach every lane of the kernel's 4-wide generator (gaussian4x4).
    for (const [seed, gen, member, dims] of [[0, 0, 0, 13], [42, 7, 3, 226], [0xdeadbeef, 123456, 999, 101],
      [5, 1, 1, 9], [7, 2, 2, 30], [1, 0xffffffff, 0xfffffffe, 17], [3, 4, 0xffffffff, 5]]) {
      ex.es_noise_f64(base, dims, seed, gen, member);
      const w = new Float64Array(memory.buffer, base, dims);
      const t = noiseVector(seed, gen, member, dims);
      for (let i = 0; i < dims; i++) {
        if (!Object.is(w[i], t[i])) throw new Error(`noise seed ${seed} gen ${gen} member ${member}: at element ${i} / ${dims}: wasm ${w[i]} ts ${t[i]}`);
        sum += t[i]; sq += t[i] * t[i]; n++;
      }
    }
    for (let m = 0; m < 200; m++) for (const z of noiseVector(1, 2, m, 64)) { sum += z; sq += z * z; n++; }
    expect(Math.abs(sum / n)).toBeLessThan(0.03);
    expect(Math.abs(sq / n - 1)).toBeLessThan(0.04);
  });

  it('reset uniforms: wasm equals TS', () => {
    const { memory, ex, base } = embeddedInstance();
    ex.reset_uniform4(base, 5, 6, 7);
    expect(Array.from(new Float64Array(memory.buffer, base, 4))).toEqual(Array.from(resetUniforms(5, 6, 7)));
  });

  it('deterministic sin/cos/log: wasm equals TS and both are within 2 ulp-ish of Math', () => {
    const { ex } = embeddedInstance();
    for (let i = 0; i < 2000; i++) {
      const x = (i - 1000) * 0.0731 + Math.sin(i) * 1e-3;
      expect(Object.is(ex.det_sin(x), detSin(x))).toBe(true);
      expect(Object.is(ex.det_cos(x), detCos(x))).toBe(true);
      expect(Math.abs(detSin(x) - Math.sin(x))).toBeLessThan(1e-15 * Math.max(1, Math.abs(x)));
      expect(Math.abs(detCos(x) - Math.cos(x))).toBeLessThan(1e-15 * Math.max(1, Math.abs(x)));
      const a = (i * 2654435761) >>> 0;
      expect(Object.is(ex.det_log_u32h(a), detLogU32h(a))).toBe(true);
      expect(Math.abs(detLogU32h(a) - Math.log((a + 0.5) / 4294967296))).toBeLessThan(1e-14);
    }
  });
});
