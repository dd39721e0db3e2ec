// Every runnable example and the default demo work from the built package, as a user runs them.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const node = (args: string[]) => execFileSync(process.execPath, args, { cwd: root, encoding: 'utf8', timeout: 120_000 });

describe('examples', () => {
  it('examples/quickstart.mjs runs and reports hidden spikes', () => {
    const out = node(['examples/quickstart.mjs']);
    const m = /hidden spikes over 20 steps: (\d+)/.exec(out);
    expect(m, out).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThan(0);
    expect(out).toMatch(/counters: \[\{"spikes":\d+,"synapticEvents":\d+,"macs":640,/);
  });

  it('spikelet demo (npm start) reports spikes, timing and int8-vs-f32 agreement', () => {
    const r = JSON.parse(node(['dist/cli.js', 'demo', '--steps', '200', '--json']));
    expect(r.int8.spikesPerLayer).toHaveLength(3);
    expect(r.int8.spikesPerLayer[0]).toBeGreaterThan(0);
    expect(r.int8.usPerStepBatch1).toBeGreaterThan(0);
    expect(r.agreement.spikeBits[0]).toBeGreaterThan(0.9);
    expect(r.agreement.readoutDecisions).toBeGreaterThanOrEqual(0.75);
  });

  it('spikelet --help lists the demo command', () => {
    expect(node(['dist/cli.js', '--help'])).toMatch(/demo/);
  });
});

describe('bundles', () => {
  it('the browser bundle imports no Node module statically (Node-only paths load them at run time)', () => {
    // test/browser.test.ts runs the bundle in Chromium; this catches a static import early.
    const src = readFileSync(`${root}/dist/browser/spikelet.js`, 'utf8');
    expect(src).not.toMatch(/\bfrom\s*["']node:/);
    expect(src).not.toMatch(/\brequire\(["'](fs|path|os)["']\)/);
  });
  it('the platform-neutral bundle loads and runs in a fresh process', () => {
    const out = node(['--input-type=module', '-e',
      "import { Runtime, compile } from './dist/index.js'; const rt = await Runtime.create(); const p = compile(rt, { inputSize: 1, layers: [{ type: 'linear', outFeatures: 1, weight: [5] }, { type: 'if', r: 1000 }] }); console.log(p.run([1, 1, 1]).spikes.join(''));"]);
    expect(out.trim()).toBe('111');
  });
  it('the optimized wasm is at most 64 KB', () => {
    expect(readFileSync(`${root}/build/spikelet.wasm`).length).toBeLessThanOrEqual(64 * 1024);
  });
});
