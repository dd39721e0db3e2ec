// CartPole-v1 and Pendulum-v1 against Gymnasium's published dynamics (transcribed here
// independently with Math.sin/Math.cos, float64 state, float64 actions), 1e-12; the wasm env
// kernels equal the TypeScript twins bit for bit; bad input gets typed errors.
import { describe, it, expect } from 'vitest';
import { makeEnv, SpikeletError } from '../src/index.js';
import { embeddedInstance } from './helpers/kernels.js';

function gymCartPole(s: number[], a: number) {
  const [x, xd, th, thd] = s;
  const g = 9.8, mp = 0.1, tm = mp + 1.0, l = 0.5, pml = mp * l, tau = 0.02;
  const force = a === 1 ? 10.0 : -10.0;
  const c = Math.cos(th), sn = Math.sin(th);
  const temp = (force + pml * thd ** 2 * sn) / tm;
  const thacc = (g * sn - c * temp) / (l * (4.0 / 3.0 - mp * c ** 2 / tm));
  const xacc = temp - pml * thacc * c / tm;
  const n = [x + tau * xd, xd + tau * xacc, th + tau * thd, thd + tau * thacc];
  const thr = 12 * 2 * Math.PI / 360;
  return { s: n, terminated: n[0] < -2.4 || n[0] > 2.4 || n[2] < -thr || n[2] > thr };
}
function gymPendulum(s: number[], u0: number) {
  const [th, thd] = s;
  const u = Math.min(2, Math.max(-2, u0));
  const norm = ((((th + Math.PI) % (2 * Math.PI)) + 2 * Math.PI) % (2 * Math.PI)) - Math.PI;
  const cost = norm ** 2 + 0.1 * thd ** 2 + 0.001 * u ** 2;
  let nthd = thd + (3 * 10 / (2 * 1) * Math.sin(th) + 3.0 / (1 * 1 ** 2) * u) * 0.05;
  nthd = Math.min(8, Math.max(-8, nthd));
  return { s: [th + nthd * 0.05, nthd], reward: -cost };
}
function rng(seed: number) {
  let a = seed >>> 0;
  return () => { a = (a + 0x6d2b79f5) >>> 0; let t = Math.imul(a ^ (a >>> 15), a | 1); t ^= t + Math.imul(t ^ (t >>> 7), t | 61); return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
}

describe('CartPole-v1', () => {
  it('follows Gymnasium trajectories from given states and action sequences (1e-12)', () => {
    const r = rng(1);
    for (let trial = 0; trial < 20; trial++) {
      const env = makeEnv('CartPole-v1');
      let s = Array.from({ length: 4 }, () => (r() - 0.5) * 0.1);
      env.reset(undefined, s);
      for (let t = 0; t < 500; t++) {
        const a = r() < 0.5 ? 0 : 1;
        const want = gymCartPole(s, a);
        const got = env.step(a);
        const st = env.state;
        for (let i = 0; i < 4; i++) expect(Math.abs(st[i] - want.s[i])).toBeLessThan(1e-12);
        expect(got.terminated).toBe(want.terminated);
        expect(got.reward).toBe(1);
        expect(Array.from(got.observation)).toEqual(Array.from(Float32Array.from(st)));
        s = Array.from(st); // follow our state (no drift accumulation from the other libm)
        if (got.terminated) {
          expect(env.step(a).reward).toBe(0); // stepping past termination earns nothing
          break;
        }
        expect(got.truncated).toBe(t === 499);
      }
    }
  });
});

describe('Pendulum-v1', () => {
  it('follows Gymnasium trajectories, rewards and observations (1e-12)', () => {
    const r = rng(2);
    for (let trial = 0; trial < 20; trial++) {
      const env = makeEnv('Pendulum-v1');
      let s = [(r() * 2 - 1) * Math.PI, r() * 2 - 1];
      env.reset(undefined, s);
      for (let t = 0; t < 200; t++) {
        const u = (r() * 2 - 1) * 2;
        const want = gymPendulum(s, u);
        const got = env.step(u);
        const st = env.state;
        expect(Math.abs(st[0] - want.s[0])).toBeLessThan(1e-12);
        expect(Math.abs(st[1] - want.s[1])).toBeLessThan(1e-12);
        expect(Math.abs(got.reward - want.reward)).toBeLessThan(1e-12);
        expect(Math.abs(got.observation[0] - Math.fround(Math.cos(st[0])))).toBeLessThan(1e-6);
        expect(got.terminated).toBe(false);
        expect(got.truncated).toBe(t === 199);
        s = Array.from(st);
      }
    }
  });
});

describe('wasm environments', () => {
  it('equal the TypeScript twins bit for bit (CartPole, Pendulum, PointMass)', () => {
    const { memory, ex, base } = embeddedInstance();
    const r = rng(3);
    for (const [name, id, act] of [['CartPole-v1', 0, () => (r() < 0.5 ? 0 : 1)], ['Pendulum-v1', 1, () => r() * 4 - 2],
      ['PointMass-v0', 2, () => r() * 20 - 10]] as const) {
      const env = makeEnv(name);
      env.reset(7);
      const f64 = new Float64Array(memory.buffer);
      f64.fill(0, base / 8, base / 8 + 4);
      f64.set(env.state, base / 8);
      for (let t = 0; t < 150; t++) {
        const a = act();
        const got = env.step(a);
        const rw = ex.env_step_f64(id, base, a, base + 64);
        expect(Object.is(rw, got.reward) || got.reward === 0).toBe(true);
        const st = env.state;
        for (let i = 0; i < st.length; i++) expect(Object.is(new Float64Array(memory.buffer)[base / 8 + i], st[i])).toBe(true);
        if (got.terminated) break;
      }
    }
  });

  it('the 4-lane CartPole kernel of the ES evaluator equals env_step lane by lane, in every quadrant of θ', () => {
    // es_eval_f32 steps CartPole four lanes at a time (branch-free quadrant selection of
    // sin/cos); benchmarks run episodes past termination, so θ reaches any angle.
    const { memory, ex, base } = embeddedInstance();
    const acts = base + 128, term = base + 144;
    const r = rng(11);
    const env = makeEnv('CartPole-v1');
    for (let trial = 0; trial < 500; trial++) {
      const scale = [0.05, 1, 4, 40, 1000][trial % 5];
      const lanes = Array.from({ length: 4 }, () => Array.from({ length: 4 }, () => (r() - 0.5) * 2 * scale));
      const actions = Array.from({ length: 4 }, () => (r() < 0.5 ? 0 : 1));
      const f64 = new Float64Array(memory.buffer);
      for (let l = 0; l < 4; l++) for (let c = 0; c < 4; c++) f64[base / 8 + 4 * c + l] = lanes[l][c];
      new Int32Array(memory.buffer).set(actions, acts / 4);
      ex.cartpole_step4_soa(base, acts, term);
      const out = new Float64Array(memory.buffer), flags = new Int32Array(memory.buffer);
      for (let l = 0; l < 4; l++) {
        env.reset(undefined, lanes[l]);
        const got = env.step(actions[l]);
        for (let c = 0; c < 4; c++) expect(Object.is(out[base / 8 + 4 * c + l], env.state[c])).toBe(true);
        expect(flags[term / 4 + l] !== 0).toBe(got.terminated);
      }
    }
  });
});

describe('makeEnv errors', () => {
  it('rejects unknown environments and out-of-range actions with SpikeletError', () => {
    expect(() => makeEnv('Acrobot-v9')).toThrow(SpikeletError);
    const cp = makeEnv('CartPole-v1');
    cp.reset(0);
    expect(() => cp.step(2)).toThrow(/action: expected an integer in \[0, 1\]/);
    const pd = makeEnv('Pendulum-v1');
    pd.reset(0);
    expect(() => pd.step(2.5)).toThrow(SpikeletError);
    expect(() => pd.step(Number.NaN)).toThrow(SpikeletError);
    expect(() => makeEnv('PointMass-v0').step(0)).toThrow(/reset\(\) before step/);
    expect(() => cp.reset(undefined, [0, 0, 0])).toThrow(/state.length/);
  });
  it('seeded resets are reproducible and in Gymnasium’s ranges', () => {
    const a = makeEnv('CartPole-v1').reset(5), b = makeEnv('CartPole-v1').reset(5);
    expect(Array.from(a)).toEqual(Array.from(b));
    for (const v of a) expect(Math.abs(v)).toBeLessThanOrEqual(0.05);
  });
});
