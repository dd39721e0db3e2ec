// Labeled data sets as CSV text: a header line, feature columns, then a `label` column (found by
// name; the last column when no header cell is called `label`). Features are scaled by
// `inputScale` on reading; each row is one sample, row-major in the model's input shape.
import { SpikeletError } from '../errors.js';

/** A labeled data set: `x` is `[rows, features]` row-major. */
export interface LabeledData {
  readonly x: Float32Array;
  readonly labels: Int32Array;
  readonly rows: number;
  readonly features: number;
}

/** Options of {@link parseLabeledCsv}. */
export interface ParseCsvOptions {
  /** Multiplies every feature (default 1), e.g. 1/16 for 0..16 pixels. */
  readonly inputScale?: number;
  /** Name used in error messages (default `data`). */
  readonly source?: string;
}

/**
 * Parses a labeled CSV data set.
 * @param text The file's text.
 * @param options Feature scale and a name for errors.
 * @returns Features and integer labels.
 * @throws SpikeletError `bad_file` naming the line and column of a non-number.
 * @example
 * const { x, labels } = parseLabeledCsv(readFileSync('digits.csv', 'utf8'), { inputScale: 1 / 16 });
 */
export function parseLabeledCsv(text: string, options: ParseCsvOptions = {}): LabeledData {
  const src = options.source ?? 'data';
  const scale = options.inputScale ?? 1;
  if (typeof scale !== 'number' || !Number.isFinite(scale)) {
    throw new SpikeletError('invalid_param', 'parseLabeledCsv', 'inputScale', 'a finite number', scale);
  }
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.length < 2) throw new SpikeletError('bad_file', 'parseLabeledCsv', src, 'a header line and at least one row', `${lines.length} line(s)`);
  const header = lines[0].split(',').map((h) => h.trim());
  let labelCol = header.findIndex((h) => h.toLowerCase() === 'label');
  if (labelCol < 0) labelCol = header.length - 1;
  const features = header.length - 1;
  if (features < 1) throw new SpikeletError('bad_file', 'parseLabeledCsv', `${src} header`, 'at least one feature column and a label column', lines[0]);
  const rows = lines.length - 1;
  const x = new Float32Array(rows * features);
  const labels = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    const cells = lines[r + 1].split(',');
    if (cells.length !== header.length) {
      throw new SpikeletError('bad_file', 'parseLabeledCsv', `${src} line ${r + 2}`, `${header.length} columns (as the header)`, cells.length);
    }
    let f = 0;
    for (let c = 0; c < cells.length; c++) {
      const v = Number(cells[c]);
      if (cells[c].trim() === '' || !Number.isFinite(v)) {
        throw new SpikeletError('bad_file', 'parseLabeledCsv', `${src} line ${r + 2} column ${c + 1} (${header[c]})`, 'a number', cells[c]);
      }
      if (c === labelCol) {
        if (!Number.isInteger(v) || v < 0) throw new SpikeletError('bad_file', 'parseLabeledCsv', `${src} line ${r + 2} label`, 'a non-negative integer class', cells[c]);
        labels[r] = v;
      } else x[r * features + f++] = v * scale;
    }
  }
  return { x, labels, rows, features };
}

/**
 * Rows `[start, end)` of a data set (views, no copy).
 * @param d The data set.
 * @param start First row.
 * @param end One past the last row (default: all rows).
 */
export function sliceRows(d: LabeledData, start: number, end = d.rows): LabeledData {
  const s = Math.max(0, Math.min(start, d.rows)), e = Math.max(s, Math.min(end, d.rows));
  return { x: d.x.subarray(s * d.features, e * d.features), labels: d.labels.subarray(s, e), rows: e - s, features: d.features };
}
