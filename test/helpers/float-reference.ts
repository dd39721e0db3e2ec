// An independent, deliberately plain float simulator of a NetworkSpec (f32 arithmetic via
// Math.fround, [C, H, W] layout, direct convolution loops): what the f32 Plan must reproduce.
import type { NetworkSpec, LayerSpec } from '../../src/index.js';

const f = Math.fround;
type Act = { data: Float32Array; shape?: [number, number, number] };

export class FloatReference {
  private readonly state = new Map<number, { v: Float32Array; syn: Float32Array; spk: Float32Array }>();
  constructor(readonly spec: NetworkSpec) {}

  /** One step of one sample; returns every cell layer's spikes and the last membrane. */
  step(input: Float32Array): { spikes: Float32Array[]; membrane: Float32Array } {
    const dt = this.spec.dt ?? 1e-3;
    let act: Act = { data: input, shape: this.spec.inputShape ? [...this.spec.inputShape] as [number, number, number] : undefined };
    let cur: Float32Array | undefined;
    const spikes: Float32Array[] = [];
    let membrane = new Float32Array(0);
    const L = this.spec.layers as LayerSpec[];
    L.forEach((layer, li) => {
      switch (layer.type) {
        case 'flatten': act = { data: act.data }; break;
        case 'sumpool2d': case 'avgpool2d': {
          const [C, H, W] = act.shape!;
          const [kh, kw] = layer.kernelSize, [sh, sw] = layer.stride ?? layer.kernelSize, [ph, pw] = layer.padding ?? [0, 0];
          const OH = Math.floor((H + 2 * ph - kh) / sh) + 1, OW = Math.floor((W + 2 * pw - kw) / sw) + 1;
          const out = new Float32Array(C * OH * OW);
          for (let c = 0; c < C; c++) for (let oy = 0; oy < OH; oy++) for (let ox = 0; ox < OW; ox++) {
            let s = 0;
            for (let ky = 0; ky < kh; ky++) for (let kx = 0; kx < kw; kx++) {
              const y = oy * sh - ph + ky, x = ox * sw - pw + kx;
              if (y >= 0 && y < H && x >= 0 && x < W) s += act.data[(c * H + y) * W + x];
            }
            out[(c * OH + oy) * OW + ox] = layer.type === 'avgpool2d' ? s / (kh * kw) : s;
          }
          act = { data: out, shape: [C, OH, OW] };
          break;
        }
        case 'linear': {
          const n = layer.outFeatures, inN = act.data.length;
          cur = new Float32Array(n);
          for (let o = 0; o < n; o++) {
            let s = 0;
            for (let i = 0; i < inN; i++) s += layer.weight[o * inN + i] * act.data[i];
            cur[o] = s + (typeof layer.bias === 'number' ? layer.bias : layer.bias ? (layer.bias as ArrayLike<number>)[o] : 0);
          }
          act = { data: act.data };
          break;
        }
        case 'conv2d': {
          const [C, H, W] = act.shape!;
          const O = layer.outChannels, [kh, kw] = layer.kernelSize;
          const [sh, sw] = layer.stride ?? [1, 1], [ph, pw] = layer.padding ?? [0, 0], [dh, dw] = layer.dilation ?? [1, 1];
          const OH = Math.floor((H + 2 * ph - dh * (kh - 1) - 1) / sh) + 1, OW = Math.floor((W + 2 * pw - dw * (kw - 1) - 1) / sw) + 1;
          cur = new Float32Array(O * OH * OW);
          for (let o = 0; o < O; o++) for (let oy = 0; oy < OH; oy++) for (let ox = 0; ox < OW; ox++) {
            let s = 0;
            for (let c = 0; c < C; c++) for (let ky = 0; ky < kh; ky++) for (let kx = 0; kx < kw; kx++) {
              const y = oy * sh - ph + ky * dh, x = ox * sw - pw + kx * dw;
              if (y >= 0 && y < H && x >= 0 && x < W) s += layer.weight[((o * C + c) * kh + ky) * kw + kx] * act.data[(c * H + y) * W + x];
            }
            const bias = typeof layer.bias === 'number' ? layer.bias : layer.bias ? (layer.bias as ArrayLike<number>)[o] : 0;
            cur[(o * OH + oy) * OW + ox] = s + bias;
          }
          act = { data: act.data, shape: [O, OH, OW] };
          break;
        }
        default: {
          const n = cur!.length;
          let st = this.state.get(li);
          if (!st) this.state.set(li, (st = { v: new Float32Array(n), syn: new Float32Array(n), spk: new Float32Array(n) }));
          const c = layer as { tau?: number; tauMem?: number; tauSyn?: number; r?: number; vThreshold?: number; reset?: string; vLeak?: number };
          const r = c.r ?? 1, th = c.vThreshold ?? 1, vLeak = c.vLeak ?? 0;
          for (let i = 0; i < n; i++) {
            let drive = cur![i], alpha = 1, beta = dt * r, gamma = 0;
            if (layer.type === 'cubalif') {
              const ks = dt / c.tauSyn!;
              st.syn[i] = f(f(st.syn[i] * f(1 - ks)) + f(cur![i] * f(ks)));
              drive = st.syn[i];
            }
            if (layer.type !== 'if') {
              const k = dt / (layer.type === 'cubalif' ? c.tauMem! : c.tau!);
              alpha = 1 - k; beta = k * r; gamma = k * vLeak;
            }
            let u = f(f(f(st.v[i] * f(alpha)) + f(drive * f(beta))) + f(gamma));
            const fire = layer.type !== 'li' && u > f(th);
            if (fire) u = c.reset === 'zero' ? 0 : f(u - f(th));
            st.v[i] = u;
            st.spk[i] = fire ? 1 : 0;
          }
          spikes.push(st.spk.slice());
          membrane = st.v.slice();
          act = { data: st.spk, shape: act.shape };
        }
      }
    });
    return { spikes, membrane };
  }
}
