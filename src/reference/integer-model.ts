// A plain TypeScript scalar reference of the integer deployment model, with no wasm: the wasm
// int8 Plan must equal it bit for bit (test/plan-int8-reference.test.ts). It follows the
// kernels' definitions literally (assembly/neuron/lif_i16_ref.ts, assembly/plan/requant.ts,
// assembly/plan/io.ts) and is written for clarity, not speed.
import type { QuantizedNetwork, QuantBlock } from '../quant/quantize.js';
import { LEAK_MULTIPLY, LEAK_SHIFT, RESET_NONE, RESET_SUBTRACT } from '../runtime/abi.js';
import { clamp, roundHalfEven } from '../quant/rounding.js';
import { SpikeletError } from '../errors.js';

/** wasm's q15mulr_sat_s for one lane. */
const q15mulr = (a: number, b: number) => clamp(Math.floor((a * b + 0x4000) / 32768), -32768, 32767);

/** (acc·M + 2^(S−1)) >> S in exact integer arithmetic (BigInt when doubles could round). */
function rq(acc: number, m: number, s: number): number {
  const p = acc * m;
  if (Math.abs(p) < 2 ** 52) return Math.floor((p + 2 ** (s - 1)) / 2 ** s);
  return Number((BigInt(acc) * BigInt(m) + (1n << BigInt(s - 1))) >> BigInt(s));
}

interface State { v: Int16Array; syn: Int16Array; spk: Uint8Array; refr: Int16Array }

/** Steps the integer model of a quantized network for `batch` samples. */
export class IntegerReference {
  private readonly state: State[];
  /** How many times a current or membrane value was clipped to the int16 range so far. */
  saturations = 0;

  private sat16(x: number): number {
    if (x > 32767 || x < -32768) {
      this.saturations++;
      return x > 0 ? 32767 : -32768;
    }
    return x;
  }

  /**
   * @param net The integer model (from `quantizeNetwork` or `plan.quantized`).
   * @param batch Samples stepped together.
   * @throws SpikeletError for networks with conv or pooling layers (not modelled here).
   */
  constructor(readonly net: QuantizedNetwork, readonly batch = 1) {
    net.blocks.forEach((b, i) => {
      if (b.weight.length !== b.n * b.inN) {
        throw new SpikeletError('unsupported', 'IntegerReference', `blocks[${i}]`, 'Linear blocks only (conv and pooling are not modelled)', b.kind);
      }
    });
    this.state = net.blocks.map((b) => ({
      v: new Int16Array(batch * b.n), syn: new Int16Array(batch * b.n),
      spk: new Uint8Array(batch * b.n), refr: new Int16Array(batch * b.n),
    }));
  }

  /** Quantizes one step's input exactly as assembly/plan/io.ts quantize_f32_i8 does. */
  quantizeInput(x: Float32Array): Int8Array {
    if (this.net.input === 'spikes') return Int8Array.from(x, (v) => (v !== 0 ? 1 : 0));
    const inv = Math.fround(1 / this.net.inputScale);
    return Int8Array.from(x, (v) => clamp(roundHalfEven(Math.fround(v * inv)), -127, 127));
  }

  /** One time step; returns the spikes of every layer (`[batch, n]` each). */
  step(input: Float32Array): Uint8Array[] {
    let x: ArrayLike<number> = this.quantizeInput(input);
    this.net.blocks.forEach((q, l) => {
      const s = this.state[l];
      const cur = this.current(q, x, s.spk);
      for (let b = 0; b < this.batch; b++) {
        for (let o = 0; o < q.n; o++) this.cell(q, s, b * q.n + o, o, cur[b * q.n + o]);
      }
      x = s.spk;
    });
    return this.state.map((s) => s.spk.slice());
  }

  /** Membrane of layer `l`, int16 `[batch, n]`. */
  membrane(l: number): Int16Array {
    return this.state[l].v.slice();
  }

  private current(q: QuantBlock, x: ArrayLike<number>, prevSpikes: Uint8Array): Int16Array {
    const cur = new Int16Array(this.batch * q.n);
    for (let b = 0; b < this.batch; b++) {
      for (let o = 0; o < q.n; o++) {
        let acc = 0;
        for (let i = 0; i < q.inN; i++) acc += q.weight[o * q.inN + i] * x[b * q.inN + i];
        let c = rq(acc, q.m1[o], q.s1) + q.bias[o];
        if (q.recurrent) {
          let acc2 = 0;
          for (let i = 0; i < q.n; i++) acc2 += q.recurrent[o * q.n + i] * prevSpikes[b * q.n + i];
          c += rq(acc2, q.m2[o], q.s2);
        }
        cur[b * q.n + o] = this.sat16(c);
      }
    }
    return cur;
  }

  private leak(q: QuantBlock, v: number, decay: number): number {
    if (q.leakMode === LEAK_MULTIPLY) return q15mulr(v, decay);
    if (q.leakMode === LEAK_SHIFT) return this.sat16(v - (v >> q.shiftK));
    return v;
  }

  private cell(q: QuantBlock, s: State, k: number, o: number, cur: number): void {
    let drive = cur;
    if (q.kind === 'cubalif') {
      s.syn[k] = this.sat16(q15mulr(s.syn[k], q.synDecayQ15![o]) + cur);
      drive = s.syn[k];
    }
    let u = this.leak(q, s.v[k], q.decayQ15[o]);
    u = this.sat16(u + drive);
    u = this.sat16(u + q.leakI16[o]);
    const th = q.thresholdI16[o], vr = q.vResetI16[o];
    let fire = q.resetMode !== RESET_NONE && u > th;
    if (q.refractorySteps > 0) {
      if (s.refr[k] > 0) {
        fire = false;
        u = vr;
        s.refr[k]--;
      } else if (fire) {
        s.refr[k] = q.refractorySteps;
      }
    }
    if (fire) u = q.resetMode === RESET_SUBTRACT ? this.sat16(u - this.sat16(th - vr)) : vr;
    s.v[k] = u;
    s.spk[k] = fire ? 1 : 0;
  }
}
