/**
 * The per-class bars (precision, recall, F1 of each class, with its support) and the reliability diagram
 * (accuracy against confidence in the report's 15 bins, the diagonal of perfect calibration), in plain SVG
 * and HTML coloured from the theme.
 */
import type { EvaluationSummary } from '../../src/protocol/webview';
import { el, svg, themeVar } from '../shared/dom';
import { decimal, integer, percent, shortName } from './format';

const METRICS = [
  ['precision', 'Precision'],
  ['recall', 'Recall'],
  ['f1', 'F1'],
] as const;

/** A table, one row per class, a bar per metric (the theme's blue, orange and green). */
export function perClassBars(report: EvaluationSummary): HTMLElement {
  const head = el('tr', {}, el('th', {}, 'Class'), ...METRICS.map(([, label]) => el('th', { class: 'bar-head' }, label)), el('th', { class: 'num' }, 'Support'));
  const rows = report.perClass.map((c, i) =>
    el(
      'tr',
      {},
      el('td', { class: 'cls', title: c.class }, shortName(c.class, 18)),
      ...METRICS.map(([key], k) => {
        const value = c[key];
        const fill = el('span', { class: `fill metric-${k}` });
        fill.style.width = `${Math.max(0, Math.min(1, value)) * 100}%`;
        return el('td', { title: `${METRICS[k][1]} of class ${c.class}: ${decimal(value)}` }, el('span', { class: 'bar-cell' }, el('span', { class: 'track' }, fill), el('span', { class: 'value' }, decimal(value, 2))));
      }),
      el('td', { class: 'num' }, integer(c.support)),
    ),
  );
  return el('div', { class: 'table-box per-class' }, el('table', { class: 'per-class' }, el('thead', {}, head), el('tbody', {}, ...rows)));
}

/** Accuracy per confidence bin as bars, each bin's mean confidence as a tick, and the diagonal. */
export function reliabilityDiagram(report: EvaluationSummary): SVGSVGElement {
  const size = 260;
  const pad = { left: 40, right: 10, top: 10, bottom: 36 };
  const width = pad.left + size + pad.right;
  const height = pad.top + size + pad.bottom;
  const blue = themeVar('charts-blue', '#3794ff');
  const orange = themeVar('charts-orange', '#d18616');
  const fg = themeVar('foreground', '#cccccc');
  const muted = themeVar('descriptionForeground', '#9d9d9d');
  const grid = themeVar('widget-border', themeVar('contrastBorder', '#80808040'));
  const x = (v: number) => pad.left + v * size;
  const y = (v: number) => pad.top + (1 - v) * size;
  const root = svg('svg', { class: 'reliability', width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': `Reliability diagram: accuracy by confidence in ${report.reliability.length} bins; ECE ${decimal(report.ece)}` }) as SVGSVGElement;
  for (const v of [0, 0.25, 0.5, 0.75, 1]) {
    root.append(svg('line', { x1: x(0), x2: x(1), y1: y(v), y2: y(v), stroke: grid, 'stroke-width': 0.5 }));
    root.append(svg('text', { x: x(0) - 6, y: y(v), 'text-anchor': 'end', 'dominant-baseline': 'central', class: 'tick', fill: muted }, String(v)));
    root.append(svg('text', { x: x(v), y: y(0) + 14, 'text-anchor': 'middle', class: 'tick', fill: muted }, String(v)));
  }
  root.append(svg('text', { x: x(0.5), y: height - 4, 'text-anchor': 'middle', class: 'axis-title', fill: fg }, 'confidence'));
  root.append(svg('text', { x: 10, y: y(0.5), 'text-anchor': 'middle', class: 'axis-title', fill: fg, transform: `rotate(-90 10 ${y(0.5)})` }, 'accuracy'));
  for (const bin of report.reliability) {
    if (!bin.count || bin.accuracy === null) continue;
    const bar = svg('rect', { x: x(bin.lower) + 1, y: y(bin.accuracy), width: Math.max(1, (bin.upper - bin.lower) * size - 2), height: Math.max(0, y(0) - y(bin.accuracy)), fill: blue, 'fill-opacity': 0.75, class: 'bin' });
    bar.append(svg('title', {}, `confidence ${bin.lower.toFixed(2)}–${bin.upper.toFixed(2)}: ${integer(bin.count)} samples, accuracy ${percent(bin.accuracy)}, mean confidence ${percent(bin.confidence)}`));
    root.append(bar);
    if (bin.confidence !== null) root.append(svg('line', { x1: x(bin.lower) + 1, x2: x(bin.upper) - 1, y1: y(bin.confidence), y2: y(bin.confidence), stroke: orange, 'stroke-width': 2, 'pointer-events': 'none' }));
  }
  root.append(svg('line', { x1: x(0), y1: y(0), x2: x(1), y2: y(1), stroke: fg, 'stroke-dasharray': '4 3', 'stroke-width': 1, class: 'diagonal', 'pointer-events': 'none' }));
  root.append(svg('rect', { x: x(0), y: y(1), width: size, height: size, fill: 'none', stroke: grid }));
  return root;
}
