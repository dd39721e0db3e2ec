// Synaptic current of the current-based LIF (CuBaLIF), int16 fixed point, in membrane units:
//   syn' = leak(syn) ⊕ cur       (leak as in lif_i16_simd: Q15 multiply or v − (v >> k))
// The membrane update then takes syn' as its input current. Layout as lif_i16_simd:
// syn, cur [batch, n] int16, decay [n] Q15; n a multiple of 8; nothing read past n.
import { LEAK_MULTIPLY, LEAK_SHIFT } from './modes';
import { sat16, q15mulr } from '../util/fixed';

export function syn_i16_simd(syn: usize, cur: usize, decay: usize, n: i32, batch: i32,
                             leakMode: i32, shiftK: i32): void {
  for (let b = 0; b < batch; b++) {
    const row = <usize>(b * n) << 1;
    for (let i = 0; i < n; i += 8) {
      const p = <usize>i << 1;
      const s = row + p;
      const x = v128.load(syn + s);
      let u = x;
      if (leakMode == LEAK_MULTIPLY) u = i16x8.q15mulr_sat_s(x, v128.load(decay + p));
      else if (leakMode == LEAK_SHIFT) u = i16x8.sub_sat_s(x, i16x8.shr_s(x, shiftK));
      v128.store(syn + s, i16x8.add_sat_s(u, v128.load(cur + s)));
    }
  }
}

export function syn_i16_ref(syn: usize, cur: usize, decay: usize, n: i32, batch: i32,
                            leakMode: i32, shiftK: i32): void {
  for (let b = 0; b < batch; b++) {
    for (let i = 0; i < n; i++) {
      const k = <usize>(b * n + i) << 1;
      const x = <i32>load<i16>(syn + k);
      let u = x;
      if (leakMode == LEAK_MULTIPLY) u = q15mulr(x, <i32>load<i16>(decay + (<usize>i << 1)));
      else if (leakMode == LEAK_SHIFT) u = sat16(x - (x >> shiftK));
      store<i16>(syn + k, <i16>sat16(u + <i32>load<i16>(cur + k)));
    }
  }
}
