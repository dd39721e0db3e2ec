/**
 * The one error class of spikelet. Every failure that reaches a user is a `SpikeletError`
 * whose message is built from a record: where it happened, which field, what was expected and
 * what was received, e.g.
 * `compile: invalid layers[1].tau: expected a finite number > 0 but received -0.002`.
 */
export type SpikeletErrorCode =
  | 'invalid_param'
  | 'shape_mismatch'
  | 'bad_file'
  | 'unsupported'
  | 'wasm_trap'
  | 'state';

/** Typed error naming the offending field and value and what was expected. */
export class SpikeletError extends Error {
  /**
   * @param code Category of the failure.
   * @param where The API function or kernel that rejected the input (`compile`, `Plan.step`, ...).
   * @param field Path of the offending field (`layers[2].tau`, `input.length`).
   * @param expected What would have been accepted.
   * @param received What was given (shown abbreviated in the message).
   */
  constructor(
    readonly code: SpikeletErrorCode,
    readonly where: string,
    readonly field: string,
    readonly expected: string,
    readonly received: unknown,
  ) {
    super(`${where}: invalid ${field}: expected ${expected} but received ${show(received)}`);
    this.name = 'SpikeletError';
  }
}

/** A short, readable rendering of any received value for error messages. */
export function show(x: unknown): string {
  if (typeof x === 'string') return JSON.stringify(x.length > 60 ? x.slice(0, 57) + '...' : x);
  if (typeof x === 'number' || typeof x === 'boolean' || typeof x === 'bigint' || x == null) return String(x);
  if (ArrayBuffer.isView(x)) {
    const n = (x as unknown as { length?: number }).length ?? x.byteLength;
    return `${x.constructor.name}(${n})`;
  }
  if (Array.isArray(x)) return `array(${x.length})`;
  if (typeof x === 'object') {
    try {
      const s = JSON.stringify(x);
      return s.length > 60 ? s.slice(0, 57) + '...' : s;
    } catch {
      return Object.prototype.toString.call(x);
    }
  }
  return typeof x;
}
