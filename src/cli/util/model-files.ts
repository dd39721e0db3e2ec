// Writes a network trained, evolved or converted on the command line in the two formats other
// tools read: NIR (float graph, for snnTorch, Norse, Spyx, Lava, Rockpool...) and an int8 .spk
// (the deployable integer model, with the structure a Plan needs to run it).
import { writeFile } from 'node:fs/promises';
import { networkToGraph } from '../../graph/from-network.js';
import { writeNir } from '../../io/nir/index.js';
import { writeSpk } from '../../io/spk/index.js';
import { networkSkeleton } from '../../io/spk/skeleton.js';
import { quantizeNetwork, type QuantizeOptions } from '../../quant/quantize.js';
import { validateNetwork, type NetworkSpec } from '../../runtime/network.js';

/** Paths written by {@link writeModelFiles}. */
export interface ModelFiles {
  readonly nir: string;
  readonly spk: string;
}

/**
 * Writes `<base>.nir` and `<base>.int8.spk` for a network.
 * @param spec The network.
 * @param base Path without extension.
 * @param metadata Provenance stored in both files (recipe, seed, ...).
 * @param quantization Options of the int8 model (e.g. an input scale measured on real inputs).
 */
export async function writeModelFiles(spec: NetworkSpec, base: string, metadata: Record<string, string | number | boolean>,
                                      quantization: QuantizeOptions = {}): Promise<ModelFiles> {
  const files = { nir: `${base}.nir`, spk: `${base}.int8.spk` };
  await writeFile(files.nir, await writeNir(networkToGraph(spec, metadata)));
  const q = quantizeNetwork(validateNetwork(spec, 'writeModelFiles'), quantization);
  await writeFile(files.spk, writeSpk(q, { network: networkSkeleton(spec), metadata: { ...metadata, dt: spec.dt } }));
  return files;
}
