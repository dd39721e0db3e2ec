// examples/nir-roundtrip.mjs runs from the built package (it imports 'spikelet') with no external files.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

it('examples/nir-roundtrip.mjs writes, reads, simulates, compiles and stores a NIR graph', () => {
  const out = execFileSync(process.execPath, ['examples/nir-roundtrip.mjs'], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  expect(out).toMatch(/read back 7 nodes, 7 edges; equal: true/);
  const sim = Number(/simulator: (\d+) output spikes/.exec(out)![1]);
  const f32 = Number(/f32 plan: (\d+) spikes/.exec(out)![1]);
  expect(sim).toBeGreaterThan(0);
  expect(f32).toBe(sim);
  expect(Number(/int8 vs f32 agreement ([\d.]+)%/.exec(out)![1])).toBeGreaterThan(90);
  expect(out).toMatch(/round trip equal: true/);
});
