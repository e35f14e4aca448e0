/**
 * CSV: numeric feature columns and one label column (by name, else a column called label/class/target/y,
 * else the last). The header is detected (a first row whose cells are not numbers where the next row's
 * are). Labels are class indices (integers) or class names (any text). Delimiter `,`, `;` or tab.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { concatSplits, type LoadOptions, type ReaderResult, type SplitName } from '../types';
import { listDir, numberedClasses, plural, readRegularFile, shown } from '../util';
import { excerpt } from '../../../util/text';

const LABEL_NAMES = ['label', 'labels', 'class', 'target', 'y', 'category'];

function splitRow(line: string, delimiter: string): string[] {
  if (!line.includes('"')) return line.split(delimiter).map((c) => c.trim());
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === delimiter) {
      cells.push(cell.trim());
      cell = '';
    } else cell += ch;
  }
  cells.push(cell.trim());
  return cells;
}

const isNumber = (s: string) => s !== '' && Number.isFinite(Number(s));

interface Parsed {
  header: string[] | undefined;
  features: number;
  values: Float32Array;
  rawLabels: string[];
  labelName: string;
}

function parseCsv(file: string, labelColumn: string | undefined): Parsed {
  const text = readRegularFile(file, 'utf8').replace(/^\uFEFF/, '');
  const lines = text.split(/\r?\n/);
  const first = lines.findIndex((l) => l.trim() !== '');
  if (first < 0) throw new Error(`${shown(file)}: empty CSV file`);
  const delimiter = [',', ';', '\t'].map((d) => [d, lines[first].split(d).length] as const).sort((a, b) => b[1] - a[1])[0][0];
  const row0 = splitRow(lines[first], delimiter);
  const nextIdx = lines.findIndex((l, i) => i > first && l.trim() !== '');
  const row1 = nextIdx >= 0 ? splitRow(lines[nextIdx], delimiter) : undefined;
  const hasHeader = row0.every((c) => !isNumber(c)) || (row1 !== undefined && row0.some((c, i) => !isNumber(c) && isNumber(row1[i] ?? '')));
  const header = hasHeader ? row0 : undefined;
  const columns = row0.length;
  if (columns < 2) throw new Error(`${shown(file)}: one column only; a CSV dataset needs feature columns and a label column (delimiter , ; or tab)`);

  let labelIdx = columns - 1;
  if (labelColumn !== undefined) {
    const byName = header?.indexOf(labelColumn) ?? -1;
    if (byName >= 0) labelIdx = byName;
    else if (/^\d+$/.test(labelColumn) && Number(labelColumn) < columns) labelIdx = Number(labelColumn);
    else throw new Error(`${shown(file)}: no column "${labelColumn}"${header ? ` (columns: ${header.join(', ')})` : ' (the file has no header)'}`);
  } else if (header) {
    const named = header.findIndex((h) => LABEL_NAMES.includes(h.toLowerCase()));
    if (named >= 0) labelIdx = named;
  }
  const features = columns - 1;
  const dataLines: number[] = [];
  for (let i = hasHeader ? first + 1 : first; i < lines.length; i++) if (lines[i].trim() !== '') dataLines.push(i);
  if (dataLines.length === 0) throw new Error(`${shown(file)}: no data rows`);
  const values = new Float32Array(dataLines.length * features);
  const rawLabels: string[] = new Array(dataLines.length);
  const name = (c: number) => (header ? `"${excerpt(header[c])}"` : `${c + 1}`);
  for (let r = 0; r < dataLines.length; r++) {
    const lineNo = dataLines[r] + 1;
    const cells = splitRow(lines[dataLines[r]], delimiter);
    if (cells.length !== columns) {
      throw new Error(`${shown(file)}:${lineNo}: ${plural(cells.length, 'cell')}, but the ${header ? 'header' : 'first row'} has ${columns}`);
    }
    let f = 0;
    for (let c = 0; c < columns; c++) {
      if (c === labelIdx) continue;
      const cell = cells[c];
      const v = Number(cell);
      if (cell === '' || !Number.isFinite(v)) {
        throw new Error(`${shown(file)}:${lineNo}: column ${name(c)} is ${cell === '' ? 'empty' : excerpt(JSON.stringify(cell))}, not a number`);
      }
      values[r * features + f++] = v;
    }
    rawLabels[r] = cells[labelIdx];
  }
  return { header, features, values, rawLabels, labelName: header ? header[labelIdx] : `column ${labelIdx + 1}` };
}

/** CSV files: a file, or a folder with one .csv or with train.csv / val.csv / test.csv. */
export function findCsvFiles(target: string): { file: string; split: SplitName | undefined }[] {
  if (fs.statSync(target).isFile()) return [{ file: target, split: undefined }];
  const csvs = listDir(target).filter((e) => e.isFile() && e.name.toLowerCase().endsWith('.csv')).map((e) => e.name);
  const bySplit: [SplitName, RegExp][] = [['train', /^train(ing)?\.csv$/i], ['val', /^(val|valid|validation)\.csv$/i], ['test', /^test\.csv$/i]];
  const split = bySplit.flatMap(([s, re]) => csvs.filter((n) => re.test(n)).map((n) => ({ file: path.join(target, n), split: s as SplitName | undefined })));
  if (split.length) return split;
  if (csvs.length === 1) return [{ file: path.join(target, csvs[0]), split: undefined }];
  throw new Error(`${shown(target)}: ${csvs.length} CSV files and none named train.csv/test.csv; point at one file`);
}

export async function readCsv(options: LoadOptions): Promise<ReaderResult> {
  const files = options.files
    ? Object.entries(options.files).map(([split, f]) => {
        if (typeof f !== 'string') throw new Error(`files.${split} must be a CSV file name`);
        return { file: path.resolve(options.path, f), split: split as SplitName };
      })
    : findCsvFiles(options.path);
  const parsed = files.map((f) => ({ ...f, ...parseCsv(f.file, options.labelColumn) }));
  const features = parsed[0].features;
  for (const p of parsed) {
    if (p.features !== features) throw new Error(`${shown(p.file)}: ${p.features} feature columns, but ${shown(parsed[0].file)} has ${features}`);
  }
  const all = parsed.flatMap((p) => p.rawLabels);
  let classNames = options.classNames;
  let toIndex: (s: string) => number;
  const integers = all.every((s) => /^\d+$/.test(s));
  if (classNames) {
    const names = classNames;
    toIndex = (s) => (names.includes(s) ? names.indexOf(s) : integers ? Number(s) : -1);
  } else if (integers) {
    const max = all.reduce((m, s) => Math.max(m, Number(s)), 0);
    classNames = numberedClasses(max + 1);
    toIndex = Number;
  } else {
    const names = [...new Set(all)].sort();
    classNames = names;
    const lookup = new Map(names.map((n, i) => [n, i]));
    toIndex = (s) => lookup.get(s)!;
  }
  if (classNames.length > 256) throw new Error(`${shown(parsed[0].file)}: ${classNames.length} classes in the label column; at most 256 are supported`);
  const parts = parsed.map((p) => {
    const labels = new Uint8Array(p.rawLabels.length);
    p.rawLabels.forEach((s, i) => {
      const k = toIndex(s);
      if (!(k >= 0 && k < classNames!.length)) {
        throw new Error(`${shown(p.file)}: label ${excerpt(JSON.stringify(s))} in data row ${i + 1} (column "${p.labelName}") is not one of the ${classNames!.length} classes`);
      }
      labels[i] = k;
    });
    return { split: files.length > 1 ? p.split : p.split, images: new Uint8Array(0), labels, values: p.values };
  });
  const joined = concatSplits(parts);
  return {
    format: 'csv',
    shape: [features],
    classNames,
    count: joined.labels.length,
    images: new Uint8Array(0),
    values: joined.values,
    labels: joined.labels,
    splits: joined.splits,
    warnings: [],
    files: files.map((f) => f.file),
  };
}
