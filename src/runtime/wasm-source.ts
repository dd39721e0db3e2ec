// Where the kernel module's bytes come from. By default they are embedded in the bundle (base64,
// generated at build time), so the same code runs in Node and in browsers with no Node-only API
// and no second request. A caller may pass its own bytes, a compiled Module, or a URL to fetch.
import { WASM_BASE64 } from './wasm-bytes.generated.js';
import { SpikeletError } from '../errors.js';

/** Anything `Runtime.create` accepts as the kernel module. */
export type WasmSource = BufferSource | WebAssembly.Module | URL | string;

let embedded: WebAssembly.Module | undefined;

function decodeBase64(s: string): Uint8Array {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** The embedded module, compiled once per process (synchronously: it is small). */
export function embeddedModule(): WebAssembly.Module {
  embedded ??= new WebAssembly.Module(decodeBase64(WASM_BASE64) as BufferSource);
  return embedded;
}

/** Compiles a module from any accepted source. URLs and strings are fetched. */
export async function loadModule(source?: WasmSource): Promise<WebAssembly.Module> {
  if (source === undefined) return embeddedModule();
  if (source instanceof WebAssembly.Module) return source;
  if (typeof source === 'string' || source instanceof URL) {
    const res = await fetch(source);
    if (!res.ok) throw new SpikeletError('bad_file', 'Runtime.create', 'wasm', 'a reachable URL', `${source} (HTTP ${res.status})`);
    return WebAssembly.compile(await res.arrayBuffer());
  }
  return WebAssembly.compile(source);
}

/** Synchronous variant for bytes or a compiled module (Node, workers). */
export function loadModuleSync(source?: BufferSource | WebAssembly.Module): WebAssembly.Module {
  if (source === undefined) return embeddedModule();
  if (source instanceof WebAssembly.Module) return source;
  return new WebAssembly.Module(source);
}
