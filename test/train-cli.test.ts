// The training example and `spikelet train` from the built package, as a user runs them.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const node = (args: string[]) => execFileSync(process.execPath, args, { cwd: root, encoding: 'utf8', timeout: 120_000, stdio: ['ignore', 'pipe', 'pipe'] });

describe('training example and CLI', () => {
  it('examples/classification-rsnn.mjs trains to ≥ 90 % and deploys a Plan', () => {
    const out = node(['examples/classification-rsnn.mjs']);
    const m = /test accuracy ([\d.]+) %/.exec(out);
    expect(m, out).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThanOrEqual(90);
    expect(out).toMatch(/f32 Plan with 2 layers/);
  });
  it('spikelet train --json reports the test metric, checkpoints, resumes and exports', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spikelet-cli-train-'));
    try {
      const a = node(['dist/cli.js', 'train', 'classification-rsnn', '--epochs', '2', '--checkpoint', dir, '--json']).trim().split('\n');
      expect(a).toHaveLength(3);
      const s = JSON.parse(a[2]);
      expect(s.type).toBe('summary');
      expect(s.testAccuracy).toBeGreaterThan(0.5);
      expect(existsSync(join(dir, 'network.json')) && existsSync(join(dir, 'network.int8.spk'))).toBe(true);
      const b = JSON.parse(node(['dist/cli.js', 'train', 'classification-rsnn', '--epochs', '4', '--checkpoint', dir, '--resume', '--json']).trim().split('\n').pop()!);
      expect(b.resumedFrom).toBe(2);
      expect(b.epochs).toBe(4);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
