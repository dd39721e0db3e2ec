// .spk bytes → model. Tensors come back as typed-array views onto the file's own ArrayBuffer
// (no second copy), which the format's 16-byte alignment allows; when the bytes themselves sit
// at an unaligned offset of their buffer (e.g. a pooled Node Buffer), or the platform is
// big-endian, each tensor is copied instead.
import { SpikeletError } from '../../errors.js';
import { createGraph, type GraphInit } from '../../graph/create.js';
import type { QuantizedNetwork } from '../../quant/quantize.js';
import { crc32 } from './crc32.js';
import { ARRAY_TYPES, SPK_MAGIC, SPK_PREFIX, SPK_VERSION, type SpkModel, type SpkTensorEntry } from './format.js';

const WHERE = 'readSpk';
const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/** Options of {@link readSpk}. */
export interface ReadSpkOptions {
  /** Copy tensors out of the file instead of viewing them (default false). */
  readonly copy?: boolean;
}

/** True when the bytes start with the .spk magic. */
export function isSpk(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && SPK_MAGIC.every((b, i) => bytes[i] === b);
}

function bad(field: string, expected: string, received: unknown): SpikeletError {
  return new SpikeletError('bad_file', WHERE, field, expected, received);
}

/**
 * Reads a .spk file.
 * @param bytes The whole file.
 * @param options `copy` to detach tensors from the file's buffer.
 * @returns A float graph or a quantized network, with metadata and producer.
 * @throws SpikeletError 'bad_file' (bad magic, truncated, checksum mismatch, malformed header),
 *   'unsupported' for a file written by a newer format version.
 * @example
 * const model = readSpk(new Uint8Array(await (await fetch('model.spk')).arrayBuffer()));
 * if (model.kind === 'graph') simulate(model.graph, input);
 */
export function readSpk(bytes: Uint8Array | ArrayBuffer, options: ReadSpkOptions = {}): SpkModel {
  const u8 = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  if (u8.length < SPK_PREFIX + 4 || !isSpk(u8)) throw bad('magic', 'a .spk file (starting \\x89SPK\\r\\n\\x1a\\n)', `${u8.length} bytes`);
  const dv = new DataView(u8.buffer, u8.byteOffset, u8.byteLength);
  const version = dv.getUint32(8, true);
  if (version > SPK_VERSION) {
    throw new SpikeletError('unsupported', WHERE, 'version', `a format version <= ${SPK_VERSION} (this build of spikelet; upgrade to read newer files)`, version);
  }
  if (version < 1) throw bad('version', `a format version in [1, ${SPK_VERSION}]`, version);
  const headerLength = dv.getUint32(12, true);
  if (SPK_PREFIX + headerLength + 4 > u8.length) throw bad('headerLength', `at most ${u8.length - SPK_PREFIX - 4} (file size ${u8.length})`, headerLength);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(u8.subarray(SPK_PREFIX, SPK_PREFIX + headerLength)));
  } catch (e) {
    throw bad('header', 'UTF-8 JSON', (e as Error).message);
  }
  const dataStart = header.dataStart, dataLength = header.dataLength;
  if (typeof dataStart !== 'number' || typeof dataLength !== 'number') throw bad('header.dataStart', 'numbers dataStart and dataLength', dataStart);
  const expectedSize = dataStart + dataLength + 4;
  if (u8.length !== expectedSize) throw bad('file.length', `${expectedSize} bytes (as the header states)`, u8.length);
  const stored = dv.getUint32(u8.length - 4, true);
  const actual = crc32(u8.subarray(0, u8.length - 4));
  if (stored !== actual) throw bad('crc32', `0x${stored.toString(16).padStart(8, '0')} (stored)`, `0x${actual.toString(16).padStart(8, '0')}`);
  const tensors = header.tensors;
  if (!Array.isArray(tensors)) throw bad('header.tensors', 'an array', tensors);
  const views = tensors.map((t: SpkTensorEntry, i) => view(u8, t, i, dataStart, dataStart + dataLength, options.copy === true));
  const decode = (x: unknown, path: string): unknown => {
    if (Array.isArray(x)) return x.map((v, i) => decode(v, `${path}[${i}]`));
    if (x === null || typeof x !== 'object') return x;
    const o = x as Record<string, unknown>;
    if (typeof o.$tensor === 'number' || typeof o.$array === 'number') {
      const i = (o.$tensor ?? o.$array) as number;
      if (!Number.isInteger(i) || i < 0 || i >= views.length) throw bad(path, `a tensor index in [0, ${views.length})`, i);
      return typeof o.$tensor === 'number' ? { shape: tensors[i].shape, data: views[i] } : views[i];
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(o)) out[k] = decode(v, `${path}.${k}`);
    return out;
  };
  const metadata = (decode(header.metadata ?? {}, 'metadata') ?? {}) as Record<string, unknown>;
  const producer = typeof header.producer === 'string' ? header.producer : 'unknown';
  if (header.kind === 'graph') {
    const g = decode(header.graph, 'graph') as GraphInit;
    return { kind: 'graph', graph: createGraph(g, WHERE), metadata, producer };
  }
  if (header.kind === 'quantized') {
    const q = decode(header.quantized, 'quantized') as QuantizedNetwork;
    if (!q || typeof q !== 'object' || !Array.isArray(q.blocks) || typeof q.inputSize !== 'number' || typeof q.dt !== 'number') {
      throw bad('quantized', 'a quantized network { inputSize, dt, inputScale, blocks }', q);
    }
    const topology = header.topology as Extract<SpkModel, { kind: 'quantized' }>['topology'];
    const network = header.network as Extract<SpkModel, { kind: 'quantized' }>['network'];
    return { kind: 'quantized', quantized: q, ...(topology ? { topology } : {}), ...(network ? { network } : {}), metadata, producer };
  }
  throw bad('header.kind', '"graph" or "quantized"', header.kind);
}

function view(u8: Uint8Array, t: SpkTensorEntry, i: number, start: number, end: number, copy: boolean): ArrayBufferView {
  const field = `tensors[${i}]`;
  const C = ARRAY_TYPES[t?.dtype as keyof typeof ARRAY_TYPES];
  if (!C) throw bad(`${field}.dtype`, `one of ${Object.keys(ARRAY_TYPES).join(', ')}`, t?.dtype);
  if (!Array.isArray(t.shape) || t.shape.some((d) => !Number.isInteger(d) || d < 0)) throw bad(`${field}.shape`, 'non-negative integers', t.shape);
  const count = t.shape.reduce((a, b) => a * b, 1);
  const size = C.BYTES_PER_ELEMENT;
  if (t.byteLength !== count * size) throw bad(`${field}.byteLength`, `${count * size} (shape [${t.shape}] of ${t.dtype})`, t.byteLength);
  if (!Number.isInteger(t.offset) || t.offset % 16 !== 0 || t.offset < start || t.offset + t.byteLength > end) {
    throw bad(`${field}.offset`, `a multiple of 16 within the data section [${start}, ${end})`, t.offset);
  }
  const abs = u8.byteOffset + t.offset;
  if (!copy && LITTLE_ENDIAN && abs % size === 0) return new C(u8.buffer as ArrayBuffer, abs, count);
  const out = new C(count);
  const bytes = u8.subarray(t.offset, t.offset + t.byteLength);
  if (LITTLE_ENDIAN) new Uint8Array(out.buffer).set(bytes);
  else {
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const get = { 1: (k: number) => (C === Int8Array ? dv.getInt8(k) : dv.getUint8(k)), 2: (k: number) => dv.getInt16(k, true),
      4: (k: number) => (C === Float32Array ? dv.getFloat32(k, true) : dv.getInt32(k, true)), 8: (k: number) => dv.getFloat64(k, true) }[size]!;
    for (let k = 0; k < count; k++) out[k] = get(k * size);
  }
  return out;
}
