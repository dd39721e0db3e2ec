// Access to h5wasm (HDF5 compiled to wasm): NIR files are HDF5, and we read and write them with
// the HDF5 library itself rather than a hand-written parser. h5wasm is ~4 MB (its wasm is
// embedded), so it is loaded on first use and kept out of spikelet's bundles: the specifier is
// not a literal, which esbuild leaves alone. In Node it resolves from node_modules (h5wasm is a
// dependency); in a browser, pass the module to `useH5wasm` (or map 'h5wasm' in an import map).
import { SpikeletError } from '../../errors.js';

/** The parts of the h5wasm module spikelet uses (its default export). */
export interface H5wasmModule {
  // Typed loosely: h5wasm's own .d.ts is the reference; we touch File, Group, Dataset and FS.
  readonly ready: Promise<{ FS: H5FS }>;
  readonly File: new (name: string, mode: 'r' | 'w') => H5Group & { close(): unknown };
  readonly Group: abstract new (...a: never[]) => H5Group;
  readonly Dataset: abstract new (...a: never[]) => H5Dataset;
}
/** Emscripten's in-memory file system, as h5wasm exposes it. */
export interface H5FS {
  writeFile(path: string, data: Uint8Array): void;
  readFile(path: string): Uint8Array;
  unlink(path: string): void;
}
/** An HDF5 group. */
export interface H5Group {
  keys(): string[];
  get(name: string): unknown;
  create_group(name: string): H5Group;
  create_dataset(args: {
    name: string; data: unknown; shape?: number[] | null; dtype?: string | null;
    chunks?: number[] | null; compression?: 'gzip' | number; compression_opts?: number;
  }): H5Dataset;
}
/** An HDF5 dataset. */
export interface H5Dataset {
  readonly shape: number[] | null;
  readonly dtype: unknown;
  readonly metadata: { type: number; size: number; signed?: boolean; vlen?: boolean };
  readonly value: unknown;
}

let injected: H5wasmModule | undefined;
let loaded: Promise<{ h5: H5wasmModule; FS: H5FS }> | undefined;

/**
 * Supplies the h5wasm module explicitly (browsers without an import map, or a custom build).
 * @param module `import h5wasm from 'h5wasm'` (the default export).
 */
export function useH5wasm(module: unknown): void {
  injected = ((module as { default?: unknown }).default ?? module) as H5wasmModule;
  loaded = undefined;
}

/** Loads h5wasm once and waits for its wasm to be ready. */
export function loadH5(where: string): Promise<{ h5: H5wasmModule; FS: H5FS }> {
  loaded ??= (async () => {
    let h5 = injected;
    if (!h5) {
      const specifier = 'h5wasm';
      try {
        const m = (await import(/* @vite-ignore */ specifier)) as { default?: H5wasmModule };
        h5 = (m.default ?? m) as H5wasmModule;
      } catch (e) {
        loaded = undefined;
        throw new SpikeletError('unsupported', where, 'h5wasm', "the 'h5wasm' package (npm install h5wasm, or useH5wasm(module) in a browser)", (e as Error).message);
      }
    }
    const { FS } = await h5.ready;
    return { h5, FS };
  })();
  return loaded;
}

let counter = 0;
/** A fresh path in h5wasm's in-memory file system. */
export function scratchPath(): string {
  return `/spikelet-${Date.now().toString(36)}-${counter++}.h5`;
}
