// Model → .spk bytes (docs/spk-format.md): magic, version, a JSON header in which every tensor
// is a reference `{ "$tensor": i }` (a Graph tensor: shape + data) or `{ "$array": i }` (a bare
// typed array of a quantized model) into the header's tensor table, then the tensors at
// 16-byte-aligned offsets, little-endian, then a CRC-32 of everything before it.
import { SpikeletError } from '../../errors.js';
import type { Graph } from '../../graph/types.js';
import { validateGraph } from '../../graph/validate.js';
import type { QuantizedNetwork } from '../../quant/quantize.js';
import { crc32 } from './crc32.js';
import type { NetworkSkeleton } from './skeleton.js';
import { dtypeOfArray, SPK_ALIGN, SPK_MAGIC, SPK_PREFIX, SPK_VERSION, type SpkTensorEntry } from './format.js';

/** Options of {@link writeSpk}. */
export interface WriteSpkOptions {
  /** Free-form metadata stored in the header (JSON values). */
  readonly metadata?: Readonly<Record<string, unknown>>;
  /** Producer string (default `spikelet`). */
  readonly producer?: string;
  /** For a quantized model: the source graph, whose topology (names, types, edges) is stored for `inspect`. */
  readonly source?: Graph;
  /** For a quantized model: the structure of the spec it was quantized from (see skeleton.ts), so a Plan can run it. */
  readonly network?: NetworkSkeleton;
}

const align = (x: number) => Math.ceil(x / SPK_ALIGN) * SPK_ALIGN;
const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

function isGraph(x: unknown): x is Graph {
  return x !== null && typeof x === 'object' && Array.isArray((x as Graph).nodes) && Array.isArray((x as Graph).edges);
}

/** Little-endian bytes of a typed array (a view when the platform is little-endian). */
function leBytes(a: ArrayBufferView): Uint8Array {
  const u8 = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const size = (a as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT;
  if (LITTLE_ENDIAN || size === 1) return u8;
  const out = new Uint8Array(u8.length);
  for (let i = 0; i < u8.length; i += size) for (let k = 0; k < size; k++) out[i + k] = u8[i + size - 1 - k];
  return out;
}

/**
 * Serialises a float Graph or a quantized network into a .spk file.
 * @param model A Graph, or a QuantizedNetwork (from `quantizeNetwork`).
 * @param options Metadata, producer, and (quantized models) the source graph's topology.
 * @returns The file's bytes.
 * @example
 * writeFileSync('model.spk', writeSpk(graph, { metadata: { task: 'braille' } }));
 */
export function writeSpk(model: Graph | QuantizedNetwork, options: WriteSpkOptions = {}): Uint8Array {
  const where = 'writeSpk';
  const arrays: ArrayBufferView[] = [];
  const entries: Omit<SpkTensorEntry, 'offset'>[] = [];
  const ref = (a: ArrayBufferView, shape: readonly number[], path: string): number => {
    const dtype = dtypeOfArray(a);
    if (!dtype) throw new SpikeletError('invalid_param', where, path, 'a Float32/Float64/Int8/Uint8/Int16/Int32Array', a);
    arrays.push(a);
    entries.push({ dtype, shape: [...shape], byteLength: a.byteLength });
    return arrays.length - 1;
  };
  // Replaces tensors and typed arrays by references; everything else must be JSON.
  const encode = (x: unknown, path: string): unknown => {
    if (x === null || typeof x === 'string' || typeof x === 'boolean') return x;
    if (typeof x === 'number') {
      if (!Number.isFinite(x)) throw new SpikeletError('invalid_param', where, path, 'a finite number', x);
      return x;
    }
    if (ArrayBuffer.isView(x)) return { $array: ref(x, [(x as unknown as { length: number }).length], path) };
    if (Array.isArray(x)) return x.map((v, i) => encode(v, `${path}[${i}]`));
    if (typeof x === 'object') {
      const o = x as Record<string, unknown>;
      if (Array.isArray(o.shape) && o.data instanceof Float32Array && Object.keys(o).length === 2) {
        return { $tensor: ref(o.data, o.shape as number[], path) };
      }
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = encode(v, `${path}.${k}`);
      return out;
    }
    if (x === undefined) return null;
    throw new SpikeletError('invalid_param', where, path, 'JSON data, tensors or typed arrays', x);
  };
  let body: Record<string, unknown>;
  if (isGraph(model)) {
    validateGraph(model, where);
    body = { kind: 'graph', graph: encode(model, 'graph') };
  } else if (model !== null && typeof model === 'object' && Array.isArray((model as QuantizedNetwork).blocks)) {
    const src = options.source;
    body = {
      kind: 'quantized', quantized: encode(model, 'quantized'),
      ...(src ? { topology: { nodes: src.nodes.map((n) => ({ name: n.name, type: n.type })), edges: src.edges } } : {}),
      ...(options.network ? { network: encode(options.network, 'network') } : {}),
    };
  } else {
    throw new SpikeletError('invalid_param', where, 'model', 'a Graph or a QuantizedNetwork', model);
  }
  // Lay out: the header's length depends on the offsets it lists, so place tensors relative to
  // the data start and fix the header's size by padding it to a multiple of 16.
  const rel: number[] = [];
  let end = 0;
  for (const e of entries) {
    rel.push(end);
    end = align(end + e.byteLength);
  }
  const make = (dataStart: number) => JSON.stringify({
    format: 'spikelet', version: SPK_VERSION, producer: options.producer ?? 'spikelet',
    metadata: encode(options.metadata ?? {}, 'metadata'),
    tensors: entries.map((e, i) => ({ ...e, offset: dataStart + rel[i] })),
    dataStart, dataLength: end,
    ...body,
  });
  let dataStart = align(SPK_PREFIX + new TextEncoder().encode(make(0)).length + 32);
  let header = new TextEncoder().encode(make(dataStart));
  while (SPK_PREFIX + header.length > dataStart) {
    dataStart = align(SPK_PREFIX + header.length + 32);
    header = new TextEncoder().encode(make(dataStart));
  }
  const total = dataStart + end + 4;
  const out = new Uint8Array(total);
  out.set(SPK_MAGIC, 0);
  const dv = new DataView(out.buffer);
  dv.setUint32(8, SPK_VERSION, true);
  dv.setUint32(12, header.length, true);
  out.set(header, SPK_PREFIX);
  out.fill(0x20, SPK_PREFIX + header.length, dataStart); // pad the header with spaces
  arrays.forEach((a, i) => out.set(leBytes(a), dataStart + rel[i]));
  dv.setUint32(total - 4, crc32(out.subarray(0, total - 4)), true);
  return out;
}
