// One table of every node type's fields: the Graph field, its NIR dataset name, its kind, and
// whether a file may omit it. Readers, writers, validation and `inspect` all walk this table,
// so adding a field to a node type is one line here (plus its TypeScript type in types.ts).
import type { NodeType } from './types.js';

/** How a field is stored: a float tensor, integer vector/scalar, a padding (ints or a string). */
export type FieldKind = 'tensor' | 'ints' | 'int' | 'padding';

/** One field of a node type. */
export interface FieldSpec {
  /** Property name on the Graph node (camelCase). */
  readonly key: string;
  /** Dataset name in a NIR file (snake_case). */
  readonly nir: string;
  readonly kind: FieldKind;
  /** A file must contain it; when false it may be absent (see `fallback`). */
  readonly required: boolean;
  /**
   * Value used when a file omits a field that NIR requires but exporters are known to drop
   * (kept absent on the node when `undefined`: the consumer applies NIR's default).
   */
  readonly fallback?: number | readonly number[] | string;
}

const t = (key: string, nir: string, required = true, fallback?: number): FieldSpec => ({ key, nir, kind: 'tensor', required, fallback });
const ints = (key: string, nir: string, required = true, fallback?: readonly number[]): FieldSpec => ({ key, nir, kind: 'ints', required, fallback });

const CONV: readonly FieldSpec[] = [
  t('weight', 'weight'), t('bias', 'bias', false),
  ints('stride', 'stride', false), { key: 'padding', nir: 'padding', kind: 'padding', required: false },
  ints('dilation', 'dilation', false), { key: 'groups', nir: 'groups', kind: 'int', required: false, fallback: 1 },
  ints('inputShape', 'input_shape', false),
];
const POOL: readonly FieldSpec[] = [ints('kernelSize', 'kernel_size'), ints('stride', 'stride', false), ints('padding', 'padding', false)];

/** Fields of each node type, in NIR's order. `NIRGraph` has none (its nodes and edges are a sub-group). */
export const NODE_FIELDS: Readonly<Record<NodeType, readonly FieldSpec[]>> = {
  Input: [ints('shape', 'shape')],
  Output: [ints('shape', 'shape')],
  Affine: [t('weight', 'weight'), t('bias', 'bias')],
  Linear: [t('weight', 'weight')],
  Scale: [t('scale', 'scale')],
  Conv1d: CONV,
  Conv2d: CONV,
  SumPool2d: POOL,
  AvgPool2d: POOL,
  Flatten: [
    { key: 'startDim', nir: 'start_dim', kind: 'int', required: false, fallback: 1 },
    { key: 'endDim', nir: 'end_dim', kind: 'int', required: false, fallback: -1 },
    ints('inputType', 'input_type', false),
  ],
  Delay: [t('delay', 'delay')],
  Threshold: [t('threshold', 'threshold')],
  I: [t('r', 'r')],
  IF: [t('r', 'r', true, 1), t('vThreshold', 'v_threshold'), t('vReset', 'v_reset', false)],
  LI: [t('tau', 'tau'), t('r', 'r', true, 1), t('vLeak', 'v_leak', true, 0)],
  LIF: [t('tau', 'tau'), t('r', 'r', true, 1), t('vLeak', 'v_leak', true, 0), t('vThreshold', 'v_threshold'), t('vReset', 'v_reset', false)],
  CubaLI: [t('tauSyn', 'tau_syn'), t('tauMem', 'tau_mem'), t('r', 'r', true, 1), t('vLeak', 'v_leak', true, 0), t('wIn', 'w_in', false)],
  CubaLIF: [
    t('tauSyn', 'tau_syn'), t('tauMem', 'tau_mem'), t('r', 'r', true, 1), t('vLeak', 'v_leak', true, 0),
    t('vThreshold', 'v_threshold'), t('vReset', 'v_reset', false), t('wIn', 'w_in', false),
  ],
  NIRGraph: [],
};

/** Every node type spikelet knows, in NIR's spelling. */
export const NODE_TYPES: readonly NodeType[] = Object.keys(NODE_FIELDS) as NodeType[];

/** True when `x` names a node type. */
export function isNodeType(x: unknown): x is NodeType {
  return typeof x === 'string' && Object.prototype.hasOwnProperty.call(NODE_FIELDS, x);
}
