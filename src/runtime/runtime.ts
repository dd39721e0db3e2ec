// The Runtime owns one instance of the kernel module and its linear memory, and lays that
// memory out with a bump arena (16-byte aligned, because v128 loads of aligned data are the
// fast path and the kernels' padding contracts assume it). Typed-array views are re-created
// whenever memory has grown, since memory.grow detaches the old ArrayBuffer.
import type { KernelExports } from './abi.js';
import { loadModule, loadModuleSync, type WasmSource } from './wasm-source.js';
import { SpikeletError } from '../errors.js';

const PAGE = 65536;

/** Options for {@link Runtime.create}. */
export interface RuntimeOptions {
  /** The kernel module: bytes, a compiled Module, or a URL to fetch. Default: the embedded build. */
  readonly wasm?: WasmSource;
  /** Upper bound of linear memory in 64 KiB pages (default 16384 = 1 GiB). */
  readonly maximumPages?: number;
}

/** One wasm instance, its memory and an arena allocator over it. */
export class Runtime {
  readonly memory: WebAssembly.Memory;
  readonly kernels: KernelExports;
  private top: number;
  private readonly base: number;
  private buffer: ArrayBuffer | undefined;
  private views!: {
    u8: Uint8Array; i8: Int8Array; i16: Int16Array; u16: Uint16Array; i32: Int32Array;
    f32: Float32Array; f64: Float64Array; i64: BigInt64Array;
  };

  private constructor(module: WebAssembly.Module, maximumPages: number) {
    if (!Number.isInteger(maximumPages) || maximumPages < 1 || maximumPages > 65536) {
      throw new SpikeletError('invalid_param', 'Runtime.create', 'maximumPages', 'an integer in [1, 65536]', maximumPages);
    }
    this.memory = new WebAssembly.Memory({ initial: 1, maximum: maximumPages });
    const instance = new WebAssembly.Instance(module, {
      env: {
        memory: this.memory,
        abort: (_msg: number, _file: number, line: number, col: number) => {
          throw new SpikeletError('wasm_trap', 'kernel', 'assertion', 'kernel preconditions to hold', `abort at ${line}:${col}`);
        },
      },
    });
    this.kernels = instance.exports as unknown as KernelExports;
    this.base = align(this.kernels.heap_base(), 16);
    this.top = this.base;
  }

  /** Instantiates the kernel module (fetching it first when given a URL). */
  static async create(options: RuntimeOptions = {}): Promise<Runtime> {
    return new Runtime(await loadModule(options.wasm), options.maximumPages ?? 16384);
  }

  /** Synchronous instantiation from bytes or a compiled module (Node, workers). */
  static createSync(options: { wasm?: BufferSource | WebAssembly.Module; maximumPages?: number } = {}): Runtime {
    return new Runtime(loadModuleSync(options.wasm), options.maximumPages ?? 16384);
  }

  /** Bytes of linear memory in use by the arena. */
  get arenaBytes(): number {
    return this.top - this.base;
  }

  /**
   * Reserves `bytes` of zeroed memory aligned to `alignment` and returns its address. Grows
   * linear memory when needed (which detaches views obtained earlier: always re-read them).
   */
  alloc(bytes: number, alignment = 16): number {
    if (!Number.isInteger(bytes) || bytes < 0) {
      throw new SpikeletError('invalid_param', 'Runtime.alloc', 'bytes', 'a non-negative integer', bytes);
    }
    const ptr = align(this.top, alignment);
    const end = ptr + Math.max(bytes, 0);
    const have = this.memory.buffer.byteLength;
    if (end > have) {
      const pages = Math.ceil((end - have) / PAGE);
      try {
        this.memory.grow(pages);
      } catch {
        throw new SpikeletError('invalid_param', 'Runtime.alloc', 'bytes', `at most ${this.memory.buffer.byteLength - ptr} more bytes of wasm memory`, bytes);
      }
    }
    this.top = end;
    this.view().u8.fill(0, ptr, end);
    return ptr;
  }

  /** The arena's current top, to {@link release} back to later (stack discipline). */
  mark(): number {
    return this.top;
  }

  /** Frees everything allocated after `mark` (memory stays reserved for reuse). */
  release(mark: number): void {
    if (mark < this.base || mark > this.top) {
      throw new SpikeletError('invalid_param', 'Runtime.release', 'mark', `an address in [${this.base}, ${this.top}]`, mark);
    }
    this.top = mark;
  }

  /** Current typed-array views of linear memory (fresh after any growth). */
  view() {
    if (this.buffer !== this.memory.buffer) {
      const b = this.memory.buffer;
      this.buffer = b;
      this.views = {
        u8: new Uint8Array(b), i8: new Int8Array(b), i16: new Int16Array(b), u16: new Uint16Array(b),
        i32: new Int32Array(b), f32: new Float32Array(b), f64: new Float64Array(b), i64: new BigInt64Array(b),
      };
    }
    return this.views;
  }

  /** Copies a typed array into fresh arena memory and returns its address. */
  put(data: Int8Array | Uint8Array | Int16Array | Int32Array | Float32Array, alignment = 16): number {
    const ptr = this.alloc(data.byteLength, alignment);
    this.view().u8.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), ptr);
    return ptr;
  }

  /**
   * Calls a kernel by name. A trap inside it is rethrown as a `SpikeletError` naming the kernel;
   * the instance stays usable (kernels allocate nothing, so there is no heap to corrupt).
   */
  call(kernel: string, ...args: number[]): number {
    const fn = this.kernels[kernel];
    if (typeof fn !== 'function') {
      throw new SpikeletError('invalid_param', 'Runtime.call', 'kernel', 'the name of an exported kernel', kernel);
    }
    try {
      return (fn as (...a: number[]) => number)(...args) as number;
    } catch (e) {
      if (e instanceof SpikeletError) throw e;
      throw new SpikeletError('wasm_trap', kernel, 'execution', 'to complete', (e as Error).message);
    }
  }
}

/** Rounds `x` up to a multiple of `a` (a power of two). */
export function align(x: number, a: number): number {
  return (x + a - 1) & ~(a - 1);
}
