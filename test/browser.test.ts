// The browser bundle in a real browser: headless Chromium loads dist/browser/spikelet.js from a
// page served on 127.0.0.1, instantiates the embedded wasm, compiles and runs a network in int8
// and f32, and must print exactly what Node computes with the same bundle's code.
// Needs Chromium (.ci/run installs Debian's `chromium`); without it the test is skipped and says why.
import { execFile } from 'node:child_process';
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

describe.skipIf(!chromium)('browser bundle in headless Chromium', () => {
  let server: Server;
  let port = 0;
  const profile = mkdtempSync(join(tmpdir(), 'spikelet-chromium-'));
  beforeAll(async () => {
    const page = `<!doctype html><body>loading<script type="module">
      import { Runtime, compile } from './spikelet.js';
      try { const r = await (async () => { ${PROGRAM} })(); document.body.textContent = 'RESULT ' + JSON.stringify(r); }
      catch (e) { document.body.textContent = 'ERROR ' + e; }
    </script></body>`;
    server = createServer((req, res) => {
      if (req.url === '/spikelet.js') {
        res.writeHead(200, { 'content-type': 'text/javascript' });
        res.end(readFileSync(join(root, 'dist/browser/spikelet.js')));
      } else {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end(page);
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => {
    server?.close();
    rmSync(profile, { recursive: true, force: true });
  });

  it('runs int8 and f32 plans and matches Node exactly', async () => {
    const dom = await new Promise<string>((resolve, reject) => {
      execFile(chromium!, ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync', `--user-data-dir=${profile}`,
        '--virtual-time-budget=20000', '--dump-dom', `http://127.0.0.1:${port}/`], { timeout: 90_000 },
      (err, stdout) => (err && !stdout ? reject(err) : resolve(stdout)));
    });
    const m = /RESULT (\{.*\})/.exec(dom);
    expect(m, `page said: ${dom.slice(0, 500)}`).not.toBeNull();
    const inBrowser = JSON.parse(m![1]);
    const { Runtime, compile } = await import('../dist/index.js');
    const inNode = await new Function('Runtime', 'compile', `return (async () => { ${PROGRAM} })();`)(Runtime, compile);
    expect(inBrowser).toEqual(JSON.parse(JSON.stringify(inNode)));
    expect(inBrowser.int8.spikes).toBeGreaterThan(0);
  });
});
