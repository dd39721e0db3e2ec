// The browser bundle in a real browser: headless Chromium loads dist/browser/spikelet.js from a
// page served on 127.0.0.1, instantiates the embedded wasm, compiles and runs a network in int8
// and f32, and must print exactly what Node computes with the same bundle's code. A second page
// evaluates an ES population on two Web Workers, served without and with cross-origin isolation
// (COOP/COEP headers): the static schedule without SharedArrayBuffer, the dynamic one with it,
// both equal to Node's plain-JS twin bit for bit.
// Needs Chromium (.ci/run installs Debian's `chromium`); without it the test is skipped and says why.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const chromium = [process.env.CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => p && existsSync(p));
if (!chromium) console.log('test/browser.test.ts: skipped: no Chromium found (set CHROMIUM or install Debian\'s chromium; .ci/run does)');

// The same program runs in the page and in Node.
const PROGRAM = `
  const rt = await Runtime.create();
  const net = { inputSize: 6, dt: 1e-3, layers: [
    { type: 'linear', outFeatures: 20, weight: Array.from({ length: 120 }, (_, i) => ((i * 37) % 23) * 2 - 16) },
    { type: 'lif', tau: 0.01, recurrent: Array.from({ length: 400 }, (_, i) => ((i * 13) % 17) / 17 - 0.5) },
    { type: 'linear', outFeatures: 3, weight: Array.from({ length: 60 }, (_, i) => ((i * 7) % 5) - 2) },
    { type: 'li', tau: 0.02 }] };
  const x = Array.from({ length: 50 * 6 }, (_, i) => ((i * 31) % 7 === 0 ? 1 : 0));
  const out = {};
  for (const precision of ['int8', 'f32']) {
    const r = compile(rt, net, { precision }).run(x);
    out[precision] = { spikes: r.layerSpikes[0].reduce((a, b) => a + b, 0), membrane: Array.from(r.membrane.slice(-3)) };
  }
  return out;`;

// ES fitness on Web Workers (WorkerEvaluator spawns them from a Blob URL in browsers).
const ES_PROGRAM = `
  const pol = makePolicy('CartPole-v1', { hidden: 8 });
  const job = { env: pol.env.wasmId, inN: pol.inN, hidden: pol.hidden, outN: pol.outN, dims: pol.dims, episodes: 2,
    maxSteps: 200, first: 0, count: 40, antithetic: true, seed: 5, generation: 2, resetGeneration: 2, source: 0,
    mean: noiseVector(1, 0, 0, pol.dims), sigma: new Float64Array(pol.dims).fill(0.5), consts: pol.consts };
  return job;`;

describe.skipIf(!chromium)('browser bundle in headless Chromium', () => {
  let server: Server;
  let port = 0;
  const profile = mkdtempSync(join(tmpdir(), 'spikelet-chromium-'));
  // A page POSTs its outcome to /report; pageResult waits for it (Web Workers run in real time,
  // so the page cannot be read back at a fixed point of virtual time with --dump-dom).
  const reports = new Map<string, (body: string) => void>();
  beforeAll(async () => {
    const report = `(outcome) => fetch('/report?' + location.pathname, { method: 'POST', body: outcome })`;
    const page = `<!doctype html><body><script type="module">
      import { Runtime, compile } from './spikelet.js';
      const report = ${report};
      try { const r = await (async () => { ${PROGRAM} })(); await report('RESULT ' + JSON.stringify(r)); }
      catch (e) { await report('ERROR ' + e); }
    </script></body>`;
    const esPage = `<!doctype html><body><script type="module">
      import { WorkerEvaluator, makePolicy, noiseVector } from './spikelet.js';
      const report = ${report};
      try {
        const job = (() => { ${ES_PROGRAM} })();
        const pool = await WorkerEvaluator.create(2);
        const r = await pool.evaluate(job);
        await pool.close();
        await report('RESULT ' + JSON.stringify({ schedule: pool.schedule, isolated: self.crossOriginIsolated,
          fitness: Array.from(r.fitness), steps: Array.from(r.steps) }));
      } catch (e) { await report('ERROR ' + e); }
    </script></body>`;
    // Cross-origin isolation, which browsers require before they offer SharedArrayBuffer.
    const isolation = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' };
    server = createServer((req, res) => {
      const url = req.url!;
      if (url.startsWith('/report?')) {
        let body = '';
        req.on('data', (c) => { body += c; });
        req.on('end', () => { res.end(); reports.get(url.slice('/report?'.length))?.(body); });
        return;
      }
      const headers = url.startsWith('/isolated/') ? isolation : {};
      const path = url.replace(/^\/isolated/, '');
      if (path === '/spikelet.js') {
        res.writeHead(200, { 'content-type': 'text/javascript', ...headers });
        res.end(readFileSync(join(root, 'dist/browser/spikelet.js')));
      } else {
        res.writeHead(200, { 'content-type': 'text/html', ...headers });
        res.end(path === '/es' ? esPage : page);
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => {
    server?.close();
    // Helpers of the last Chromium may still be flushing the profile as they exit: retry.
    rmSync(profile, { recursive: true, force: true, maxRetries: 20, retryDelay: 100 });
  });

  /** Opens `path` in headless Chromium and returns the JSON the page reports after RESULT. */
  async function pageResult(path: string): Promise<any> {
    const body = new Promise<string>((resolve) => reports.set(path, resolve));
    const browser = spawn(chromium!, ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync', `--user-data-dir=${profile}`,
      `http://127.0.0.1:${port}${path}`], { stdio: 'ignore', detached: true }); // its own process group: see finally
    const exited = new Promise<string>((resolve) => browser.on('exit', (code) => resolve(`chromium exited (${code}) before the page reported`)));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<string>((resolve) => { timer = setTimeout(() => resolve('no report within 60 s'), 60_000); });
    try {
      const outcome = await Promise.race([body, exited, timeout]);
      const m = /^RESULT (\{.*\})$/s.exec(outcome);
      expect(m, `page ${path}: ${outcome.slice(0, 500)}`).not.toBeNull();
      return JSON.parse(m![1]);
    } finally {
      clearTimeout(timer);
      reports.delete(path);
      // Stop Chromium and its helper processes (renderer, GPU, zygote) together, then wait for it.
      const gone = new Promise((resolve) => (browser.exitCode !== null || browser.signalCode !== null ? resolve(null) : browser.once('exit', resolve)));
      try { process.kill(-browser.pid!, 'SIGTERM'); } catch { /* already gone */ }
      await gone;
    }
  }

  it('runs int8 and f32 plans and matches Node exactly', async () => {
    const inBrowser = await pageResult('/');
    const { Runtime, compile } = await import('../dist/index.js');
    const inNode = await new Function('Runtime', 'compile', `return (async () => { ${PROGRAM} })();`)(Runtime, compile);
    expect(inBrowser).toEqual(JSON.parse(JSON.stringify(inNode)));
    expect(inBrowser.int8.spikes).toBeGreaterThan(0);
  });

  it('evaluates an ES population on two Web Workers, statically without isolation and dynamically with it, as Node does', async () => {
    const { evaluateJs, makePolicy, noiseVector } = await import('../dist/index.js');
    const want = evaluateJs(new Function('makePolicy', 'noiseVector', ES_PROGRAM)(makePolicy, noiseVector));
    for (const [path, schedule, isolated] of [['/es', 'static', false], ['/isolated/es', 'dynamic', true]] as const) {
      const got = await pageResult(path);
      expect({ schedule: got.schedule, isolated: got.isolated }, path).toEqual({ schedule, isolated });
      expect(got.fitness, path).toEqual(Array.from(want.fitness));
      expect(got.steps, path).toEqual(Array.from(want.steps));
    }
    expect(new Set(want.fitness).size).toBeGreaterThan(3); // the members differ
  });
});
