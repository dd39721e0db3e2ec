// The ES examples run (they import 'spikelet', i.e. dist/, which `npm install` builds).
import { describe, it, expect } from 'vitest';
import { execFileSync } from 'node:child_process';

describe('ES examples', () => {
  for (const ex of ['control-lif-es', 'cartpole-lif-es']) {
    it(`${ex} reaches its target`, () => {
      const out = execFileSync(process.execPath, [`examples/${ex}.mjs`], { encoding: 'utf8', timeout: 60000 });
      const last = JSON.parse(out.trim().split('\n').pop()!);
      expect(last.meanReturn100).toBeGreaterThanOrEqual(last.target);
    }, 60000);
  }
});
