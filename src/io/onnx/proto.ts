// Access to the ONNX protobuf classes. We decode with `onnx-proto` (ONNX's onnx.proto compiled
// by protobufjs' static code generator, on protobufjs/minimal) rather than a hand-written
// parser. It is ~330 kB of generated code, so like h5wasm (src/io/nir/h5.ts) it is loaded on
// first use and kept out of spikelet's bundles: the specifier is not a literal, which esbuild
// leaves alone. In Node it resolves from node_modules (onnx-proto is a dependency); in a
// browser, pass the module to `useOnnxProto` (or map 'onnx-proto' in an import map).
import { SpikeletError } from '../../errors.js';

/** Long integers as protobufjs returns them (a number, or a `Long` when the `long` package is present). */
export type LongLike = number | { toNumber(): number };

/** The decoded messages, typed as far as spikelet reads them (onnx-proto's .d.ts is the reference). */
export interface OnnxTensor {
  dims?: LongLike[] | null; dataType?: number | null; floatData?: number[] | null; int32Data?: number[] | null;
  int64Data?: LongLike[] | null; doubleData?: number[] | null; rawData?: Uint8Array | null; name?: string | null;
  dataLocation?: number | null;
}
/** An ONNX attribute. */
export interface OnnxAttribute {
  name?: string | null; type?: number | null; f?: number | null; i?: LongLike | null; s?: Uint8Array | null;
  t?: OnnxTensor | null; floats?: number[] | null; ints?: LongLike[] | null;
}
/** An ONNX node. */
export interface OnnxNode {
  input?: string[] | null; output?: string[] | null; name?: string | null; opType?: string | null;
  domain?: string | null; attribute?: OnnxAttribute[] | null;
}
/** An ONNX value info (graph inputs and outputs). */
export interface OnnxValueInfo {
  name?: string | null;
  type?: { tensorType?: { elemType?: number | null; shape?: { dim?: { dimValue?: LongLike | null; dimParam?: string | null }[] | null } | null } | null } | null;
}
/** An ONNX graph. */
export interface OnnxGraph {
  node?: OnnxNode[] | null; initializer?: OnnxTensor[] | null; input?: OnnxValueInfo[] | null; output?: OnnxValueInfo[] | null;
  sparseInitializer?: unknown[] | null;
}
/** An ONNX model. */
export interface OnnxModelProto {
  irVersion?: LongLike | null; opsetImport?: { domain?: string | null; version?: LongLike | null }[] | null;
  producerName?: string | null; producerVersion?: string | null; graph?: OnnxGraph | null;
}
/** The part of `onnx-proto`'s namespace spikelet uses. */
export interface OnnxProtoModule {
  readonly onnx: { readonly ModelProto: { decode(bytes: Uint8Array): OnnxModelProto } };
}

let injected: OnnxProtoModule | undefined;
let loaded: Promise<OnnxProtoModule> | undefined;

/**
 * Supplies the `onnx-proto` module explicitly (browsers without an import map, bundlers that
 * do not see the lazy import).
 * @param module `import * as onnxProto from 'onnx-proto'` (or its default export).
 */
export function useOnnxProto(module: unknown): void {
  const m = module as { default?: unknown; onnx?: unknown };
  injected = (m.onnx ? m : m.default) as OnnxProtoModule;
  loaded = undefined;
}

/** Loads onnx-proto once. */
export function loadOnnxProto(where: string): Promise<OnnxProtoModule> {
  loaded ??= (async () => {
    if (injected) return injected;
    const specifier = 'onnx-proto';
    try {
      const m = (await import(/* @vite-ignore */ specifier)) as { default?: OnnxProtoModule; onnx?: unknown };
      const mod = (m.onnx ? m : m.default) as OnnxProtoModule;
      if (!mod?.onnx?.ModelProto) throw new Error('no onnx.ModelProto export');
      return mod;
    } catch (e) {
      loaded = undefined;
      throw new SpikeletError('unsupported', where, 'onnx-proto', "the 'onnx-proto' package (npm i onnx-proto), or useOnnxProto(module) in a browser", (e as Error).message);
    }
  })();
  return loaded;
}

/** A protobufjs long as a JS number. */
export function num(x: LongLike | null | undefined, dflt = 0): number {
  if (x === null || x === undefined) return dflt;
  return typeof x === 'number' ? x : x.toNumber();
}
