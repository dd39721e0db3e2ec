// `spikelet inspect | export | run` through the built CLI (node dist/cli.js), on a self-made
// NIR file and, when ../shared is present, on every real fixture.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createGraph, writeNir } from '../src/index.js';
import { everyNodeGraph } from './helpers/graphs.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = (args: string[]) => execFileSync(process.execPath, ['dist/cli.js', ...args], { cwd: root, encoding: 'utf8', timeout: 120_000 });
const fails = (args: string[]) => spawnSync(process.execPath, ['dist/cli.js', ...args], { cwd: root, encoding: 'utf8', timeout: 120_000 });
const tmp = mkdtempSync(join(tmpdir(), 'spikelet-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const FIX = fileURLToPath(new URL('../../shared/fixtures/nir/', import.meta.url));
const PRESENT = existsSync(`${FIX}lif_norse.nir`);
if (!PRESENT) console.log(`cli-commands: fixture tests skipped: ${FIX} is absent`);

function spikes(n: number, T: number, seed = 1): number[][] {
  let s = seed;
  return Array.from({ length: T }, () => Array.from({ length: n }, () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return (s >>> 16) % 100 < 30 ? 1 : 0;
  }));
}

describe('spikelet CLI', () => {
  it('--help lists inspect, export and run', () => {
    const out = cli(['--help']);
    for (const c of ['inspect', 'export', 'run']) expect(out).toMatch(new RegExp(`\\b${c}\\b`));
  });

  it('inspect, export and run a self-made NIR file (simulator engine), and the .spk it exports', async () => {
    const nir = join(tmp, 'every.nir');
    writeFileSync(nir, await writeNir(createGraph(everyNodeGraph())));
    const info = JSON.parse(cli(['inspect', nir, '--json']));
    expect(info.nodes.find((n: { name: string }) => n.name === 'conv').params.weight).toEqual({ shape: [3, 2, 3, 3], dtype: 'float32', bytes: 216 });
    expect(info.recurrent_edges).toBe(1);
    const input = join(tmp, 'every.json');
    writeFileSync(input, JSON.stringify(spikes(72, 30)));
    const r = JSON.parse(cli(['run', nir, '--input', input, '--json']));
    expect(r.engine).toBe('simulator');
    expect(r.steps).toBe(30);
    expect(r.output_spikes).toHaveLength(30);
    expect(r.output_counts).toHaveLength(4);
    const spk = join(tmp, 'every.spk');
    cli(['export', nir, spk]);
    expect(JSON.parse(cli(['run', spk, '--input', input, '--json'])).output_spikes).toEqual(r.output_spikes);
    const back = join(tmp, 'every2.nir');
    cli(['export', spk, back]);
    expect(JSON.parse(cli(['inspect', back, '--json'])).nodes).toEqual(info.nodes);
  });

  it('reports typed errors with a non-zero exit', () => {
    const junk = join(tmp, 'junk.nir');
    writeFileSync(junk, 'not a model');
    const r = fails(['inspect', junk]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/load: invalid file: expected a NIR \(HDF5\) or \.spk file/);
    const steps = fails(['demo', '--steps', 'ten']);
    expect(steps.status).toBe(1);
    expect(steps.stderr).toMatch(/^spikelet demo: invalid --steps: expected an integer >= 1 but received "ten"\n$/);
    expect(fails(['demo', '--seed', '-1']).stderr).toMatch(/invalid --seed: expected an integer >= 0 but received "-1"/);
  });
});

describe.skipIf(!PRESENT)('spikelet CLI on the real NIR fixtures', () => {
  const files = PRESENT ? readdirSync(FIX).filter((f) => f.endsWith('.nir')).sort() : [];
  for (const f of files) {
    it(`${f}: inspect, run and re-export`, () => {
      const info = JSON.parse(cli(['inspect', FIX + f, '--json']));
      const inNode = info.nodes.find((n: { type: string }) => n.type === 'Input');
      const n = inNode.output_shape.reduce((a: number, b: number) => a * b, 1);
      const csv = join(tmp, `${f}.csv`);
      writeFileSync(csv, spikes(n, 20).map((r) => r.join(',')).join('\n'));
      const r = JSON.parse(cli(['run', FIX + f, '--input', csv, '--json', ...(f === 'cnn_sinabs.nir' ? ['--dt', '1', '--reset', 'subtract'] : [])]));
      expect(r.steps).toBe(20);
      expect(['plan-f32', 'simulator']).toContain(r.engine);
      const out = join(tmp, `re-${f}`);
      cli(['export', FIX + f, out]);
      const again = JSON.parse(cli(['inspect', out, '--json']));
      expect(again.nodes.map((x: { type: string }) => x.type)).toEqual(info.nodes.map((x: { type: string }) => x.type));
      expect(again.edges).toEqual(info.edges);
    });
  }

  it('braille: export --quantize int8 → inspect and run the .spk; int8 agrees with the float run', () => {
    const q = join(tmp, 'braille.int8.spk');
    cli(['export', `${FIX}braille_bias_zero.nir`, q, '--quantize', 'int8', '--reset', 'subtract']);
    const info = JSON.parse(cli(['inspect', q, '--json']));
    expect(info.kind).toBe('quantized');
    expect(info.blocks[0].tensors.weight.dtype).toBe('int8');
    const input = join(tmp, 'braille.csv');
    writeFileSync(input, spikes(12, 100, 7).map((r) => r.join(',')).join('\n'));
    const i8 = JSON.parse(cli(['run', q, '--input', input, '--json']));
    const f32 = JSON.parse(cli(['run', `${FIX}braille_bias_zero.nir`, '--input', input, '--reset', 'subtract', '--json']));
    expect(i8.engine).toBe('plan-int8');
    expect(f32.engine).toBe('plan-f32');
    // The stored integer model runs exactly as compiling the float graph to int8 does.
    const direct = JSON.parse(cli(['run', `${FIX}braille_bias_zero.nir`, '--input', input, '--reset', 'subtract', '--precision', 'int8', '--json']));
    expect(i8.output_spikes).toEqual(direct.output_spikes);
    const diff = i8.output_counts.reduce((s: number, c: number, k: number) => s + Math.abs(c - f32.output_counts[k]), 0);
    console.log(`braille int8 .spk vs float: totals ${i8.total} vs ${f32.total}, per-output |Δcount| sum ${diff}`);
    expect(diff / f32.total).toBeLessThan(0.1);
  });
});
