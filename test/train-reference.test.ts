// The f64 TypeScript reference BPTT against PyTorch autograd's float64 reference gradients
// (../shared/fixtures/training), and against central finite differences on the readout.
import { describe, expect, it } from 'vitest';
import { loadFixture, fixtureParams64, FIXTURES, flatten, fixturesPresent, gradientErrors } from './train-helpers.js';
import { resolveModel } from '../src/train/model.js';
import { referenceBptt } from '../src/train/reference.js';
import { checkLoss } from '../src/train/losses.js';

const present = fixturesPresent();
const ce = checkLoss({ type: 'ce_mean' }, false);

describe.skipIf(!present)('reference BPTT vs PyTorch autograd (float64)', () => {
  for (const name of FIXTURES) {
    it(`${name}: spikes exact, loss and every gradient within 1e-6 relative`, () => {
      const f = loadFixture(name);
      const m = resolveModel(f.model);
      const r = referenceBptt(m, fixtureParams64(f) as never, f.x, f.labels, f.T, f.B, ce);
      expect(Array.from(r.spikes[0])).toEqual(flatten(f.raw.forward.spikes));
      expect(Math.abs(r.loss - f.raw.forward.loss) / Math.abs(f.raw.forward.loss)).toBeLessThan(1e-12);
      const errs = gradientErrors(r.grads, f.raw.grads);
      console.log(`reference ${name}: max|Δg|/max|g| ${Object.entries(errs).map(([k, v]) => `${k} ${v.toExponential(1)}`).join(', ')}`);
      for (const v of Object.values(errs)) expect(v).toBeLessThan(1e-6);
    });
  }
});
