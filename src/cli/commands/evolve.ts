// `spikelet evolve RECIPE_OR_CONFIG`: runs an ES recipe (control-lif-es, cartpole-lif-es) or a
// JSON EvolveConfig file, with a progress bar on stderr (or one JSON object per generation on
// stdout with --json), checkpoints and resume, and writes the best policy as a NetworkSpec.
import type { Command } from 'commander';
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { SpikeletError } from '../../errors.js';
import { evolve, type EvolveConfig } from '../../es/run.js';
import { deployInputScale, evaluatePlan } from '../../es/deploy.js';
import { ES_RECIPES } from '../../zoo/control.js';
import { Runtime } from '../../runtime/runtime.js';
import { writeModelFiles } from '../util/model-files.js';
import { bar, intOption } from '../util/options.js';

const int = (name: string, v: string | undefined, min: number) => intOption('spikelet evolve', name, v, min);

interface EvolveCliOptions {
  generations?: string; workers?: string; seed?: string; checkpoint?: string; resume?: boolean; json?: boolean; out?: string;
}

async function loadConfig(arg: string): Promise<EvolveConfig> {
  const recipe = ES_RECIPES[arg];
  if (recipe) return recipe.config;
  let text: string;
  try {
    text = await readFile(arg, 'utf8');
  } catch {
    throw new SpikeletError('invalid_param', 'spikelet evolve', 'RECIPE_OR_CONFIG', `a recipe (${Object.keys(ES_RECIPES).join(', ')}) or a readable JSON file`, arg);
  }
  try {
    return JSON.parse(text) as EvolveConfig;
  } catch (e) {
    throw new SpikeletError('bad_file', 'spikelet evolve', arg, 'JSON', (e as Error).message);
  }
}

/** Adds `evolve` to the program. */
export function register(program: Command): void {
  program
    .command('evolve')
    .description('evolve a spiking control policy with an evolution strategy (wasm evaluation)')
    .argument('<recipe-or-config>', `recipe name (${Object.keys(ES_RECIPES).join(', ')}) or JSON config file`)
    .option('--generations <n>', 'maximum number of generations')
    .option('--workers <w>', 'worker threads (0 = main thread)', '2')
    .option('--seed <s>', 'run seed')
    .option('--checkpoint <dir>', 'write checkpoint.json (and the best policy) to this directory')
    .option('--resume', 'continue from <dir>/checkpoint.json')
    .option('--out <file>', 'write the best policy (NetworkSpec JSON) here')
    .option('--json', 'one JSON object per generation, then a summary, on stdout')
    .action(async (arg: string, o: EvolveCliOptions) => {
      let cfg = await loadConfig(arg);
      const generations = int('generations', o.generations, 1), seed = int('seed', o.seed, 0);
      cfg = { ...cfg, ...(generations ? { generations } : {}), ...(seed !== undefined ? { seed } : {}) };
      if (o.resume && !o.checkpoint) throw new SpikeletError('invalid_param', 'spikelet evolve', '--resume', 'together with --checkpoint DIR', true);
      const r = await evolve(cfg, {
        workers: int('workers', o.workers, 0) ?? 2, checkpointDir: o.checkpoint, resume: o.resume,
        onProgress: (p) => {
          if (o.json) {
            process.stdout.write(JSON.stringify({ type: 'generation', ...p }) + '\n');
          } else {
            process.stderr.write(`\r${bar(p.generation, p.generations, 24)} gen ${p.generation}/${p.generations}  ` +
              `mean ${p.meanFitness.toFixed(2)}  max ${p.maxFitness.toFixed(2)}  center ${p.centerFitness.toFixed(2)}  ` +
              `${Math.round(p.episodesPerSecond)} episodes/s   `);
          }
        },
      });
      if (!o.json) process.stderr.write('\n');
      const rt = Runtime.createSync();
      const f32 = evaluatePlan(rt, r.policy, r.network, 'f32', 100, cfg.seed ?? 0);
      const int8 = evaluatePlan(rt, r.policy, r.network, 'int8', 100, cfg.seed ?? 0);
      const exported = {
        format: 'spikelet-es-policy', env: cfg.env, observationScale: Array.from(r.policy.observationScale),
        actionScale: r.policy.actionScale, action: r.policy.env.actionSpace.type === 'discrete' ? 'argmax' : 'scale',
        network: { ...r.network, layers: r.network.layers.map((l) => ('weight' in l ? { ...l, weight: Array.from(l.weight) } : l)) },
      };
      const out = o.out ?? (o.checkpoint ? join(o.checkpoint, 'policy.json') : undefined);
      if (out) {
        if (o.checkpoint) await mkdir(o.checkpoint, { recursive: true });
        await writeFile(out, JSON.stringify(exported));
        // The network as NIR and as an int8 .spk, beside the JSON (which adds the I/O scaling).
        // The int8 input scale is sized from the observations the policy actually sees.
        await writeModelFiles(r.network, out.replace(/\.json$/, ''), { producer: 'spikelet evolve', env: cfg.env },
          { inputScale: deployInputScale(rt, r.policy, r.network, 100, cfg.seed ?? 0) });
      }
      const summary = {
        type: 'summary', env: cfg.env, generations: r.history.length, solved: r.solved, evalReturn: r.evalReturn,
        planReturnF32: f32, planReturnInt8: int8, seconds: r.seconds, policy: out ?? null,
      };
      if (o.json) process.stdout.write(JSON.stringify(summary) + '\n');
      else {
        process.stdout.write(`${cfg.env}: ${r.history.length} generations in ${r.seconds.toFixed(1)} s, ` +
          `mean return over 100 episodes ${r.evalReturn.toFixed(2)} (wasm evaluator), ` +
          `Plan f32 ${f32.toFixed(2)}, Plan int8 ${int8.toFixed(2)}${out ? `; policy written to ${out}` : ''}\n`);
      }
    });
}
