// The f64 TypeScript reference BPTT against PyTorch autograd's float64 reference gradients
// (../shared/fixtures/training), and against central finite differences on the readout.
import { describe, expect, it } from 'vitest';
import { loadFixture, fixtureParams64, relErr, FIXTURES, flatten, fixturesPresent } from './train-helpers.js';
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
      const g = f.raw.grads;
      const errs: Record<string, number> = {
        W_in: relErr(r.grads[0].weight, flatten(g.W_in)), b_in: relErr(r.grads[0].bias, flatten(g.b_in)),
        W_rec: relErr(r.grads[0].recurrent!, flatten(g.W_rec)), W_out: relErr(r.grads[1].weight, flatten(g.W_out)),
        b_out: relErr(r.grads[1].bias, flatten(g.b_out)),
      };
      if (g.beta) errs.beta = relErr(r.grads[0].beta, flatten(g.beta));
      console.log(`reference ${name}: max|Δg|/max|g| ${Object.entries(errs).map(([k, v]) => `${k} ${v.toExponential(1)}`).join(', ')}`);
      for (const v of Object.values(errs)) expect(v).toBeLessThan(1e-6);
    });
  }
});
