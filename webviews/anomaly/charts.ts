/**
 * The Anomaly view's charts in plain SVG, coloured by the theme through CSS classes (style.css): the score
 * histograms of normal and anomalous samples overlaid on shared bins (each as its share of its group, so
 * that 200 anomalies show beside 2,000 normal samples), and the ROC curve with the chance diagonal and the
 * point at 95% true-positive rate.
 */
import type { AnomalyView } from '../../src/protocol/webview';
import { el, svg } from '../shared/dom';
import { rate, scoreText, ticks } from './format';

const H = 240;
const M = { top: 12, right: 16, bottom: 40, left: 52 };
/** The histogram's width follows its box (drawn at 1:1, so its text keeps the page's size) within these. */
const MIN_WIDTH = 280;
const MAX_WIDTH = 720;

function axisLabel(text: string, x: number, y: number, rotate = false): SVGElement {
  return svg('text', { class: 'axis-label', x, y, 'text-anchor': 'middle', ...(rotate ? { transform: `rotate(-90 ${x} ${y})` } : {}) }, text);
}

/** Horizontal grid lines and labels for y ticks, vertical tick labels for x; the plot's frame. */
function axes(root: SVGElement, x: (v: number) => number, y: (v: number) => number, xTicks: number[], yTicks: number[], xText: (v: number) => string, yText: (v: number) => string, box: { l: number; r: number; t: number; b: number }): void {
  for (const t of yTicks) {
    root.append(svg('line', { class: 'grid', x1: box.l, x2: box.r, y1: y(t), y2: y(t) }));
    root.append(svg('text', { class: 'tick', x: box.l - 6, y: y(t) + 4, 'text-anchor': 'end' }, yText(t)));
  }
  for (const t of xTicks) {
    root.append(svg('line', { class: 'axis', x1: x(t), x2: x(t), y1: box.b, y2: box.b + 4 }));
    root.append(svg('text', { class: 'tick', x: x(t), y: box.b + 16, 'text-anchor': 'middle' }, xText(t)));
  }
  root.append(svg('line', { class: 'axis', x1: box.l, x2: box.r, y1: box.b, y2: box.b }));
  root.append(svg('line', { class: 'axis', x1: box.l, x2: box.l, y1: box.t, y2: box.b }));
}

/** The two groups' score distributions on the view's bins, `width` pixels wide. */
export function histogramChart(view: AnomalyView, width: number): HTMLElement {
  const W = Math.max(MIN_WIDTH, Math.min(MAX_WIDTH, Math.floor(width)));
  const { edges, normal, anomalous } = view.histogram;
  const legend = el(
    'div',
    { class: 'legend' },
    el('span', { class: 'key normal' }, el('span', { class: 'swatch', 'aria-hidden': 'true' }), `normal (${view.normal.toLocaleString('en-US')})`),
    el('span', { class: 'key anomalous' }, el('span', { class: 'swatch', 'aria-hidden': 'true' }), `anomalous (${view.anomalous.toLocaleString('en-US')})`),
  );
  if (!edges.length) return el('div', {}, legend, el('p', { class: 'note' }, 'No finite scores to draw.'));
  const share = (counts: number[], total: number) => counts.map((c) => (total ? c / total : 0));
  const groups = [
    { name: 'normal', shares: share(normal, view.normal), counts: normal },
    { name: 'anomalous', shares: share(anomalous, view.anomalous), counts: anomalous },
  ];
  const top = Math.max(...groups.flatMap((g) => g.shares), 1e-9);
  const lo = edges[0];
  const hi = edges[edges.length - 1];
  const box = { l: M.left, r: W - M.right, t: M.top, b: H - M.bottom };
  const x = (v: number) => box.l + ((v - lo) / (hi - lo)) * (box.r - box.l);
  const y = (v: number) => box.b - (v / top) * (box.b - box.t);
  const root = svg('svg', { class: 'chart histogram', width: W, height: H, viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': `Histogram of scores: ${view.normal} normal and ${view.anomalous} anomalous samples` });
  axes(root, x, y, ticks(lo, hi, Math.max(3, Math.round(W / 90))), ticks(0, top, 4), scoreText, (v) => `${Math.round(v * 100)}%`, box);
  for (const g of groups) {
    const group = svg('g', { class: `bars ${g.name}` });
    let outline = `M${x(lo).toFixed(1)},${box.b}`;
    g.shares.forEach((s, i) => {
      const [x0, x1] = [x(edges[i]), x(edges[i + 1])];
      outline += `V${y(s).toFixed(1)}H${x1.toFixed(1)}`;
      if (!g.counts[i]) return;
      const bar = svg('rect', { x: x0.toFixed(1), y: y(s).toFixed(1), width: Math.max(0.5, x1 - x0).toFixed(1), height: (box.b - y(s)).toFixed(1) });
      bar.append(svg('title', {}, `${g.name}: ${g.counts[i]} samples (${(s * 100).toFixed(1)}%) with scores ${scoreText(edges[i])} to ${scoreText(edges[i + 1])}`));
      group.append(bar);
    });
    group.append(svg('path', { class: 'outline', d: `${outline}V${box.b}` }));
    root.append(group);
  }
  root.append(axisLabel('score (higher = more anomalous)', (box.l + box.r) / 2, H - 6), axisLabel('share of group', 14, (box.t + box.b) / 2, true));
  return el('div', {}, legend, root);
}

/** The ROC curve (anomalous = positive), the chance diagonal, and the false-positive rate at 95% TPR. */
export function rocChart(view: AnomalyView): HTMLElement {
  const S = 260;
  const box = { l: 52, r: S - 12, t: 12, b: S - 40 };
  const x = (v: number) => box.l + v * (box.r - box.l);
  const y = (v: number) => box.b - v * (box.b - box.t);
  const root = svg('svg', { class: 'chart roc', width: S, height: S, viewBox: `0 0 ${S} ${S}`, role: 'img', 'aria-label': `ROC curve, AUROC ${rate(view.auroc)}` });
  const unit = [0, 0.25, 0.5, 0.75, 1];
  axes(root, x, y, unit, unit, String, String, box);
  root.append(svg('line', { class: 'chance', x1: x(0), y1: y(0), x2: x(1), y2: y(1) }));
  const { fpr, tpr } = view.roc;
  const d = fpr.map((f, i) => `${i ? 'L' : 'M'}${x(f).toFixed(1)},${y(tpr[i]).toFixed(1)}`).join('');
  root.append(svg('path', { class: 'curve', d }));
  const dot = svg('circle', { class: 'fpr95', cx: x(view.fpr95).toFixed(1), cy: y(0.95).toFixed(1), r: 4 });
  dot.append(svg('title', {}, `At 95% of the anomalies found, ${(view.fpr95 * 100).toFixed(1)}% of the normal samples are flagged`));
  root.append(dot);
  root.append(axisLabel('false-positive rate', (box.l + box.r) / 2, S - 6), axisLabel('true-positive rate', 14, (box.t + box.b) / 2, true));
  return el('div', {}, el('div', { class: 'legend' }, el('span', { class: 'key curve' }, el('span', { class: 'swatch', 'aria-hidden': 'true' }), `AUROC ${rate(view.auroc)}`), el('span', { class: 'key fpr95' }, el('span', { class: 'swatch dot', 'aria-hidden': 'true' }), `FPR at 95% TPR ${rate(view.fpr95)}`)), root);
}
