// Direct access to the compiled kernel modules for kernel-level tests: both the debug build
// (assertions on) and the release build (what ships) are tested against the scalar references.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { embeddedModule } from '../../src/runtime/wasm-source.js';

export type Build = 'debug' | 'release';
export const BUILDS: Build[] = ['debug', 'release'];

/** A raw instance with a bump allocator over its imported memory. */
export class Kernels {
  readonly memory = new WebAssembly.Memory({ initial: 16, maximum: 16384 });
  readonly exports: Record<string, (...a: number[]) => number>;
  private top: number;

  constructor(readonly build: Build) {
    const file = fileURLToPath(new URL(`../../build/spikelet${build === 'debug' ? '.debug' : ''}.wasm`, import.meta.url));
    const instance = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(file)), {
      env: { memory: this.memory, abort: () => { throw new Error(`abort in ${build} build`); } },
    });
    this.exports = instance.exports as never;
    this.top = (this.exports.heap_base() + 15) & ~15;
  }

  /** Zeroed, 16-byte aligned memory. */
  alloc(bytes: number): number {
    const p = this.top;
    this.top = (p + bytes + 15) & ~15;
    const need = this.top - this.memory.buffer.byteLength;
    if (need > 0) this.memory.grow(Math.ceil(need / 65536));
    new Uint8Array(this.memory.buffer).fill(0, p, this.top);
    return p;
  }

  /** Copies a typed array in; returns its address. */
  put(a: Int8Array | Uint8Array | Int16Array | Int32Array | Float32Array): number {
    const p = this.alloc(a.byteLength);
    new Uint8Array(this.memory.buffer).set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), p);
    return p;
  }

  i16(p: number, n: number): Int16Array { return new Int16Array(this.memory.buffer, p, n).slice(); }
  i32(p: number, n: number): Int32Array { return new Int32Array(this.memory.buffer, p, n).slice(); }
  u8(p: number, n: number): Uint8Array { return new Uint8Array(this.memory.buffer, p, n).slice(); }
  i8(p: number, n: number): Int8Array { return new Int8Array(this.memory.buffer, p, n).slice(); }
  f32(p: number, n: number): Float32Array { return new Float32Array(this.memory.buffer, p, n).slice(); }

  /** Frees everything allocated since construction. */
  resetArena(): void {
    this.top = (this.exports.heap_base() + 15) & ~15;
  }
}

/** First index where two arrays differ, or -1 (NaN equals NaN; -0 equals 0 only if bits do). */
export function firstDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i]) && !(a[i] === b[i])) return i;
  return -1;
}

/** A fresh instance of the module the package embeds, its memory and first free 16-byte address. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function embeddedInstance(): { memory: WebAssembly.Memory; ex: any; base: number } {
  const memory = new WebAssembly.Memory({ initial: 2 });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const ex = new WebAssembly.Instance(embeddedModule(), { env: { memory, abort() { throw new Error('abort'); } } }).exports as any;
  return { memory, ex, base: (ex.heap_base() + 15) & ~15 };
}
