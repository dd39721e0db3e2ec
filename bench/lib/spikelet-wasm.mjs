// Loads the spikelet kernels (build/spikelet.wasm, or $SPIKELET_WASM) the way the ABI says:
// the host creates env.memory and provides env.abort; heap_base() is the first free byte and
// the host lays its buffers out 16-byte aligned above it. A bump arena does that here.
import { readFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const WASM_PATH = process.env.SPIKELET_WASM ? resolve(process.env.SPIKELET_WASM) : join(repoRoot, 'build', 'spikelet.wasm');

const PAGE = 65536;
export const align16 = (n) => (n + 15) & ~15;
export const pad16 = align16;

/** AssemblyScript string at ptr (UTF-16LE, byte length stored at ptr - 4). */
function readAsString(memory, ptr) {
  if (!ptr) return '';
  try {
    const len = new Uint32Array(memory.buffer, ptr - 4, 1)[0];
    return String.fromCharCode(...new Uint16Array(memory.buffer, ptr, len >>> 1));
  } catch {
    return `<string at ${ptr}>`;
  }
}

/**
 * Instantiates the module. `required`: export names that must exist (throws, listing the
 * missing ones, otherwise). Returns { exports, memory, path, alloc, reset, ensure }.
 */
export async function loadSpikelet(required = [], { initialPages = 256 } = {}) {
  if (!existsSync(WASM_PATH)) {
    throw new Error(`spikelet wasm not found at ${WASM_PATH}; build it with: node scripts/build.mjs --wasm-only`);
  }
  const memory = new WebAssembly.Memory({ initial: initialPages });
  const env = {
    memory,
    abort(msg, file, line, col) {
      throw new Error(`spikelet wasm abort: ${readAsString(memory, msg)} at ${readAsString(memory, file)}:${line}:${col}`);
    },
  };
  const module = await WebAssembly.compile(readFileSync(WASM_PATH));
  const names = new Set(WebAssembly.Module.exports(module).map((e) => e.name));
  const missing = required.filter((n) => !names.has(n));
  if (missing.length) {
    throw new Error(`spikelet wasm at ${WASM_PATH} lacks exports: ${missing.join(', ')} ` +
      `(has: ${[...names].join(', ')})`);
  }
  const instance = await WebAssembly.instantiate(module, { env });
  const exports = instance.exports;
  const base = align16(Number(exports.heap_base()));
  let top = base;

  /** Make sure [0, bytes) is addressable; growing detaches all typed-array views. */
  function ensure(bytes) {
    const have = memory.buffer.byteLength;
    if (bytes > have) memory.grow(Math.ceil((bytes - have) / PAGE));
  }
  return {
    exports,
    memory,
    path: WASM_PATH,
    /** 16-byte-aligned block of `bytes` bytes; re-create views after calling (memory may grow). */
    alloc(bytes) {
      const p = top;
      top = align16(top + bytes);
      ensure(top);
      return p;
    },
    /** Frees everything allocated since load. */
    reset() {
      top = base;
    },
  };
}
