// The smallest useful spikelet program: describe a network, compile it for int8 deployment,
// run a spike sequence through it and read the result.   node examples/quickstart.mjs
import { Runtime, compile } from 'spikelet';

const rt = await Runtime.create();

// 4 inputs → 8 leaky integrate-and-fire neurons → 2 leaky-integrator read-outs.
// Weights are row-major [out, in]; time constants in seconds (NIR conventions).
const net = {
  inputSize: 4,
  dt: 1e-3,
  layers: [
    { type: 'linear', outFeatures: 8, weight: Float32Array.from({ length: 32 }, (_, i) => ((i * 37) % 11) - 3) },
    { type: 'lif', tau: 0.01, vThreshold: 1, reset: 'subtract' },
    { type: 'linear', outFeatures: 2, weight: Float32Array.from({ length: 16 }, (_, i) => (i % 3) - 0.5) },
    { type: 'li', tau: 0.02 },
  ],
};

const plan = compile(rt, net, { precision: 'int8', batch: 1 });

// A time-major [T, batch, inputs] sequence: input 0 and 2 spike every other step.
const T = 20;
const input = new Float32Array(T * 4);
for (let t = 0; t < T; t += 2) { input[t * 4] = 1; input[t * 4 + 2] = 1; }

const out = plan.run(input);
const hidden = out.layerSpikes[0].reduce((a, b) => a + b, 0);
console.log(`hidden spikes over ${out.steps} steps: ${hidden}`);
console.log(`read-out membrane at the last step: ${Array.from(out.membrane.slice(-2), (v) => v.toFixed(4)).join(', ')}`);
console.log('counters:', JSON.stringify(plan.counters()));
