// Writes op records for the wasm plan interpreter (assembly/plan/interpreter.ts).
import { OP_WORDS } from './abi.js';

/** A growing list of op records, each OP_WORDS int32 words. */
export class ProgramBuilder {
  private readonly words: number[] = [];

  /** Appends one op: its opcode and up to 15 integer fields (pointers, sizes, constants). */
  op(code: number, ...fields: number[]): this {
    if (fields.length > OP_WORDS - 1) throw new Error(`op ${code} has ${fields.length} fields (max ${OP_WORDS - 1})`);
    const rec = new Array<number>(OP_WORDS).fill(0);
    rec[0] = code;
    fields.forEach((f, i) => (rec[i + 1] = f | 0));
    this.words.push(...rec);
    return this;
  }

  /** Number of ops written. */
  get length(): number {
    return this.words.length / OP_WORDS;
  }

  /** The records as int32 words, ready to copy into wasm memory. */
  toInt32Array(): Int32Array {
    return Int32Array.from(this.words);
  }
}

/** The bit pattern of an f32, for op fields that carry a float. */
export function f32Bits(x: number): number {
  const b = new Float32Array([x]);
  return new Int32Array(b.buffer)[0];
}
