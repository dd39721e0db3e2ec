// `spikelet inspect FILE [--json]`: what a model file holds — nodes, types, parameter shapes and
// dtypes, edges, and sizes in bytes — for a NIR file, a float .spk or a quantized .spk.
import type { Command } from 'commander';
import { statSync } from 'node:fs';
import { NODE_FIELDS } from '../../graph/schema.js';
import { analyzeGraph } from '../../graph/validate.js';
import type { Graph, Tensor } from '../../graph/types.js';
import { loadModel, type LoadedModel } from '../util/model.js';

interface ParamInfo { shape: readonly number[]; dtype: string; bytes: number }
interface NodeInfo { name: string; type: string; output_shape?: readonly number[]; params: Record<string, ParamInfo | unknown> }

const BYTES: Record<string, number> = { float32: 4, float64: 8, int8: 1, uint8: 1, int16: 2, int32: 4, int64: 8, uint16: 2, uint32: 4, uint64: 8 };

function graphNodes(g: Graph, prefix: string, shapes: ReadonlyMap<string, readonly number[]>): NodeInfo[] {
  const out: NodeInfo[] = [];
  for (const n of g.nodes) {
    const params: Record<string, ParamInfo | unknown> = {};
    const rec = n as unknown as Record<string, unknown>;
    for (const f of NODE_FIELDS[n.type]) {
      const v = rec[f.key];
      if (v === undefined) continue;
      if (f.kind === 'tensor') {
        const t = v as Tensor;
        const dtype = n.dtypes?.[f.nir] ?? 'float32';
        params[f.nir] = { shape: t.shape, dtype, bytes: t.data.length * (BYTES[dtype] ?? 4) };
      } else params[f.nir] = v;
    }
    if ('reset' in n && n.reset) params.reset = n.reset;
    const name = prefix + n.name;
    out.push({ name, type: n.type, ...(shapes.has(name) ? { output_shape: shapes.get(name) } : {}), params });
    if (n.type === 'NIRGraph') out.push(...graphNodes(n.graph, `${name}.`, shapes));
  }
  return out;
}

/** The inspection record of a loaded model (the `--json` output). */
export function inspectModel(m: LoadedModel, file: string): Record<string, unknown> {
  const fileBytes = statSync(file).size;
  if (m.kind === 'graph') {
    const { shapes, schedule } = analyzeGraph(m.graph, 'inspect');
    const nodes = graphNodes(m.graph, '', shapes.output);
    let paramBytes = 0, params = 0;
    for (const n of nodes) for (const p of Object.values(n.params)) {
      if (p && typeof p === 'object' && 'bytes' in p) {
        paramBytes += (p as ParamInfo).bytes;
        params += (p as ParamInfo).shape.reduce((a, b) => a * b, 1);
      }
    }
    return {
      file, format: m.format, kind: 'graph', file_bytes: fileBytes, nodes, edges: m.graph.edges,
      recurrent_edges: schedule.delayedEdges, parameters: params, parameter_bytes: paramBytes, metadata: m.graph.metadata,
    };
  }
  const q = m.quantized;
  let paramBytes = 0;
  const blocks = q.blocks.map((b, i) => {
    const tensors: Record<string, ParamInfo> = {};
    for (const [k, v] of Object.entries(b)) {
      if (!ArrayBuffer.isView(v)) continue;
      const dtype = v.constructor.name.replace('Array', '').toLowerCase();
      tensors[k] = { shape: [(v as unknown as { length: number }).length], dtype, bytes: v.byteLength };
      paramBytes += v.byteLength;
    }
    return { index: i, kind: b.kind, n: b.n, in: b.inN, tensors };
  });
  return {
    file, format: 'spk', kind: 'quantized', file_bytes: fileBytes, input_size: q.inputSize, dt: q.dt, input_scale: q.inputScale,
    blocks, parameter_bytes: paramBytes, ...(m.spk.kind === 'quantized' && m.spk.topology ? { nodes: m.spk.topology.nodes, edges: m.spk.topology.edges } : {}),
    metadata: m.spk.metadata, producer: m.spk.producer,
  };
}

function text(r: Record<string, unknown>): string {
  const lines: string[] = [`${r.file}: ${r.format} ${r.kind}, ${r.file_bytes} bytes`];
  if (r.kind === 'graph') {
    for (const n of r.nodes as NodeInfo[]) {
      const ps = Object.entries(n.params).map(([k, v]) => (v && typeof v === 'object' && 'shape' in v
        ? `${k}[${(v as ParamInfo).shape.join('×')}] ${(v as ParamInfo).dtype}` : `${k}=${JSON.stringify(v)}`));
      lines.push(`  ${n.name.padEnd(20)} ${n.type.padEnd(10)} out [${n.output_shape?.join(', ') ?? ''}]  ${ps.join('  ')}`);
    }
    lines.push(`edges (${(r.edges as unknown[]).length}, ${r.recurrent_edges} recurrent):`);
    for (const [a, b] of r.edges as [string, string][]) lines.push(`  ${a} → ${b}`);
    lines.push(`parameters: ${r.parameters} (${r.parameter_bytes} bytes)`);
  } else {
    lines.push(`  input ${r.input_size}, dt ${r.dt} s, input scale ${r.input_scale}`);
    for (const b of r.blocks as { index: number; kind: string; n: number; in: number; tensors: Record<string, ParamInfo> }[]) {
      const ts = Object.entries(b.tensors).map(([k, v]) => `${k}[${v.shape.join('×')}] ${v.dtype}`);
      lines.push(`  block ${b.index}: ${b.kind} ${b.in} → ${b.n}  ${ts.join('  ')}`);
    }
    if (r.edges) {
      lines.push('source graph edges:');
      for (const [a, b] of r.edges as [string, string][]) lines.push(`  ${a} → ${b}`);
    }
    lines.push(`parameter bytes: ${r.parameter_bytes}`);
  }
  return lines.join('\n');
}

/** Registers `spikelet inspect`. */
export function register(program: Command): void {
  program
    .command('inspect')
    .description('show the nodes, parameter shapes and dtypes, edges and sizes of a .nir or .spk file')
    .argument('<file>', 'a .nir or .spk model')
    .option('--json', 'print one JSON object')
    .action(async (file: string, opts: { json?: boolean }) => {
      const r = inspectModel(await loadModel(file), file);
      process.stdout.write((opts.json ? JSON.stringify(r) : text(r)) + '\n');
    });
}
