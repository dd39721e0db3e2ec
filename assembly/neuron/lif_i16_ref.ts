// Scalar reference of lif_i16_simd: the integer LIF/IF/LI membrane update, one neuron at a time.
// The SIMD kernel must match it bit for bit. See lif_i16_simd.ts for the contract.
import { LEAK_MULTIPLY, LEAK_SHIFT, RESET_SUBTRACT, RESET_NONE } from './modes';
import { sat16, q15mulr } from '../util/fixed';

export function lif_i16_ref(v: usize, cur: usize, decay: usize, leak: usize, th: usize, vr: usize,
                            spk: usize, refr: usize, n: i32, batch: i32,
                            leakMode: i32, shiftK: i32, resetMode: i32, refractorySteps: i32): i32 {
  let count = 0;
  for (let b = 0; b < batch; b++) {
    const row = <usize>(b * n);
    for (let i = 0; i < n; i++) {
      const k = row + <usize>i;
      const p = <usize>i << 1;
      const vk = <i32>load<i16>(v + (k << 1));
      let u: i32 = vk;
      if (leakMode == LEAK_MULTIPLY) u = q15mulr(vk, <i32>load<i16>(decay + p));
      else if (leakMode == LEAK_SHIFT) u = sat16(vk - (vk >> shiftK));
      u = sat16(u + <i32>load<i16>(cur + (k << 1)));
      u = sat16(u + <i32>load<i16>(leak + p));
      const t = <i32>load<i16>(th + p);
      const r = <i32>load<i16>(vr + p);
      let fire = resetMode != RESET_NONE && u > t;
      if (refr != 0) {
        const c = <i32>load<i16>(refr + (k << 1));
        if (c > 0) {
          // Refractory: no spike, membrane held at v_reset, input discarded.
          fire = false;
          u = r;
          store<i16>(refr + (k << 1), <i16>(c - 1));
        } else if (fire) {
          store<i16>(refr + (k << 1), <i16>refractorySteps);
        }
      }
      if (fire) {
        u = resetMode == RESET_SUBTRACT ? sat16(u - sat16(t - r)) : r;
        count++;
      }
      store<i16>(v + (k << 1), <i16>u);
      store<u8>(spk + k, fire ? 1 : 0);
    }
  }
  return count;
}
