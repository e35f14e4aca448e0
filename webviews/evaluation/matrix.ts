/**
 * The confusion matrix as a heat map (SVG): rows the true class, columns the predicted one; the diagonal in
 * the theme's blue, mistakes in its red, stronger for more (counts, or each row's shares; the diagonal and
 * the mistakes each scaled to their own largest cell, so that a few mistakes show beside hundreds right).
 * Cells shrink with the number of classes down to a few pixels (100 classes scroll in their box, labels
 * thinned out, every cell's numbers in its tooltip); a click on a cell asks for its samples.
 */
import type { EvaluationSummary } from '../../src/protocol/webview';
import { svg, themeVar } from '../shared/dom';
import { normalise, type MatrixMode } from './confusion';
import { integer, percent, shortName } from './format';

/** Cells per matrix side before they get too small to click: bigger matrices scroll. */
const TARGET_SIDE = 520;
const MIN_CELL = 7;
const MAX_CELL = 46;
/** Labels are drawn at least this far apart (every k-th one for small cells). */
const LABEL_SPACING = 13;

/** The cell side for n classes: as large as fits TARGET_SIDE, within [MIN_CELL, MAX_CELL]; `large` doubles it. */
export function cellSize(n: number, large: boolean): number {
  const fit = Math.max(MIN_CELL, Math.min(MAX_CELL, Math.floor(TARGET_SIDE / Math.max(1, n))));
  return large ? Math.min(MAX_CELL, Math.max(fit * 2, 24)) : fit;
}

export function confusionMatrix(
  report: EvaluationSummary,
  mode: MatrixMode,
  large: boolean,
  selected: { label: number; predicted: number } | undefined,
  onCell: (label: number, predicted: number) => void,
): SVGSVGElement {
  const { classes, confusion } = report;
  const n = classes.length;
  const cell = cellSize(n, large);
  const shown = normalise(confusion, mode);
  // The diagonal and the mistakes each on their own scale: a few mistakes stay visible beside hundreds right.
  const maxDiagonal = Math.max(Number.MIN_VALUE, ...shown.map((row, i) => row[i]));
  const maxMistake = Math.max(Number.MIN_VALUE, ...shown.flatMap((row, r) => row.filter((_, c) => c !== r)));
  const every = Math.max(1, Math.ceil(LABEL_SPACING / cell));
  const longest = Math.min(14, Math.max(...classes.map((c) => c.length)));
  const labelWidth = 14 + longest * 7;
  const left = labelWidth + 22;
  const top = labelWidth + 22;
  const width = left + n * cell + 4;
  const height = top + n * cell + 4;
  const blue = themeVar('charts-blue', '#3794ff');
  const red = themeVar('charts-red', '#f14c4c');
  const fg = themeVar('foreground', '#cccccc');
  const bg = themeVar('editor-background', '#1e1e1e');
  const grid = themeVar('widget-border', themeVar('contrastBorder', '#80808040'));
  const focus = themeVar('focusBorder', '#007fd4');
  const root = svg('svg', { class: 'matrix', width, height, viewBox: `0 0 ${width} ${height}`, role: 'group', 'aria-label': `Confusion matrix, ${n} classes: rows true class, columns predicted` }) as SVGSVGElement;
  root.append(svg('text', { x: left + (n * cell) / 2, y: 12, 'text-anchor': 'middle', class: 'axis-title' }, 'predicted'));
  root.append(svg('text', { x: 12, y: top + (n * cell) / 2, 'text-anchor': 'middle', class: 'axis-title', transform: `rotate(-90 12 ${top + (n * cell) / 2})` }, 'true'));
  const fontSize = Math.min(12, Math.max(8, cell * 0.8));
  for (let i = 0; i < n; i++) {
    if (i % every !== 0) continue;
    const name = shortName(classes[i]);
    const y = top + i * cell + cell / 2;
    const rowLabel = svg('text', { x: left - 6, y, 'text-anchor': 'end', 'dominant-baseline': 'central', class: 'label', 'font-size': fontSize }, name);
    rowLabel.append(svg('title', {}, `true ${classes[i]}`));
    const x = left + i * cell + cell / 2;
    const colLabel = svg('text', { x, y: top - 6, 'text-anchor': 'start', 'dominant-baseline': 'central', class: 'label', 'font-size': fontSize, transform: `rotate(-60 ${x} ${top - 6})` }, name);
    colLabel.append(svg('title', {}, `predicted ${classes[i]}`));
    root.append(rowLabel, colLabel);
  }
  const showNumbers = cell >= 28;
  for (let r = 0; r < n; r++) {
    const rowSum = confusion[r].reduce((a, b) => a + b, 0);
    for (let c = 0; c < n; c++) {
      const count = confusion[r][c];
      const t = Math.min(1, shown[r][c] / (r === c ? maxDiagonal : maxMistake));
      const x = left + c * cell;
      const y = top + r * cell;
      const g = svg('g', { class: `cell${count ? ' filled' : ''}`, 'data-row': r, 'data-col': c });
      const rect = svg('rect', {
        x, y, width: cell, height: cell,
        fill: count ? (r === c ? blue : red) : 'transparent',
        'fill-opacity': count ? (0.25 + 0.75 * t).toFixed(3) : 0,
        stroke: grid, 'stroke-width': cell >= 12 ? 0.5 : 0,
      });
      g.append(rect);
      const share = rowSum ? count / rowSum : 0;
      g.append(svg('title', {}, `true ${classes[r]}, predicted ${classes[c]}: ${integer(count)} (${percent(share)} of true ${classes[r]})`));
      if (showNumbers && count) {
        const text = mode === 'counts' ? (count >= 10_000 ? `${Math.round(count / 1000)}k` : String(count)) : share < 0.005 ? '<1%' : `${Math.round(share * 100)}%`;
        g.append(svg('text', { x: x + cell / 2, y: y + cell / 2, 'text-anchor': 'middle', 'dominant-baseline': 'central', class: 'count', fill: t > 0.5 ? bg : fg }, text));
      }
      if (count) g.addEventListener('click', () => onCell(r, c));
      root.append(g);
    }
  }
  if (selected && selected.label < n && selected.predicted < n) {
    root.append(svg('rect', { x: left + selected.predicted * cell + 1, y: top + selected.label * cell + 1, width: cell - 2, height: cell - 2, fill: 'none', stroke: focus, 'stroke-width': 2, class: 'selected', 'pointer-events': 'none' }));
  }
  // The keyboard: arrows move a cursor over the cells (its cell's numbers become the label), Enter opens it.
  if (selected) cursor = { row: selected.label, col: selected.predicted };
  cursor = { row: Math.min(cursor.row, n - 1), col: Math.min(cursor.col, n - 1) };
  const mark = svg('rect', { width: cell, height: cell, fill: 'none', stroke: focus, 'stroke-width': 1, 'stroke-dasharray': '3 2', class: 'cursor', 'pointer-events': 'none' });
  const place = () => {
    mark.setAttribute('x', String(left + cursor.col * cell));
    mark.setAttribute('y', String(top + cursor.row * cell));
    const count = confusion[cursor.row][cursor.col];
    root.setAttribute('aria-label', `true ${classes[cursor.row]}, predicted ${classes[cursor.col]}: ${integer(count)}${count ? ' (Enter shows them)' : ''}`);
  };
  root.setAttribute('tabindex', '0');
  root.addEventListener('focus', () => {
    root.append(mark);
    place();
  });
  root.addEventListener('blur', () => mark.remove());
  root.addEventListener('keydown', (e) => {
    const moves: Record<string, [number, number]> = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
    const move = moves[e.key];
    if (move) {
      cursor = { row: Math.max(0, Math.min(n - 1, cursor.row + move[0])), col: Math.max(0, Math.min(n - 1, cursor.col + move[1])) };
      place();
    } else if ((e.key === 'Enter' || e.key === ' ') && confusion[cursor.row][cursor.col]) {
      onCell(cursor.row, cursor.col);
    } else return;
    e.preventDefault();
  });
  return root;
}

/** Where the keyboard's cursor is (kept across redraws). */
let cursor = { row: 0, col: 0 };
