// Constants and types of the .spk container (docs/spk-format.md).
import type { Graph } from '../../graph/types.js';
import type { QuantizedNetwork } from '../../quant/quantize.js';
import type { NetworkSkeleton } from './skeleton.js';

/** First 8 bytes of every .spk file: a non-ASCII byte, "SPK", CR LF, EOF, LF (detects text-mode mangling, as PNG's). */
export const SPK_MAGIC: readonly number[] = [0x89, 0x53, 0x50, 0x4b, 0x0d, 0x0a, 0x1a, 0x0a];
/** The format version this build writes and the newest it reads. */
export const SPK_VERSION = 1;
/** Tensor data starts, and every tensor begins, at a multiple of this many bytes (one v128). */
export const SPK_ALIGN = 16;
/** Bytes before the JSON header: magic, version (u32), header length (u32). */
export const SPK_PREFIX = 16;

/** Element types a .spk tensor may have. */
export type SpkDType = 'float32' | 'float64' | 'int8' | 'uint8' | 'int16' | 'int32';

/** One entry of the header's tensor table. */
export interface SpkTensorEntry {
  readonly dtype: SpkDType;
  readonly shape: readonly number[];
  /** Absolute byte offset in the file (a multiple of 16). */
  readonly offset: number;
  readonly byteLength: number;
}

/** A model stored in a .spk file. */
export type SpkModel =
  | {
    readonly kind: 'graph';
    readonly graph: Graph;
    readonly metadata: Readonly<Record<string, unknown>>;
    readonly producer: string;
  }
  | {
    readonly kind: 'quantized';
    readonly quantized: QuantizedNetwork;
    /** Topology of the source graph (names, types, edges; no parameters), when it was given. */
    readonly topology?: { readonly nodes: readonly { name: string; type: string }[]; readonly edges: readonly (readonly [string, string])[] };
    /** Structure of the spec it was quantized from (layer types, geometry, reset), when it was given. */
    readonly network?: NetworkSkeleton;
    readonly metadata: Readonly<Record<string, unknown>>;
    readonly producer: string;
  };

/** The typed-array constructor of each .spk dtype. */
export const ARRAY_TYPES = {
  float32: Float32Array, float64: Float64Array, int8: Int8Array, uint8: Uint8Array, int16: Int16Array, int32: Int32Array,
} as const;

/** The dtype of a typed array, if .spk can store it. */
export function dtypeOfArray(a: unknown): SpkDType | undefined {
  for (const [k, C] of Object.entries(ARRAY_TYPES)) if (a instanceof C) return k as SpkDType;
  return undefined;
}
