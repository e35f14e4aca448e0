/**
 * The sweep chart, below the loss and accuracy charts when the dashboard compares runs of one sweep
 * (`dl-lab sweep`): parallel coordinates, one axis per swept setting then the best val_loss and val_acc, a
 * line per run in its colour, the best run thicker. Plain SVG: its axes and text take the theme's CSS
 * variables (sweepChart.css); hovering a line brings it forward and its tooltip lists its values.
 */
import { type Axis, parallelCoordinates, type ParallelCoordinates } from '../../src/sweeps/parallelCoordinates';
import { bestMetrics, groupBySweep } from '../../src/sweeps/results';
import { el, svg } from '../shared/dom';
import { runName, runs, type RunData } from './state';
import { colourOf } from './theme';
import './sweepChart.css';

const HEIGHT = 260;
const MARGIN = { top: 34, right: 56, bottom: 14, left: 56 };

let box: HTMLElement | undefined;
let resize: ResizeObserver | undefined;

/** The chart's place (empty, and hidden, until two runs of one sweep are shown). */
export function sweepSection(): HTMLElement {
  resize?.disconnect();
  box = el('section', { class: 'chart sweep', hidden: '' });
  resize = new ResizeObserver(() => renderSweep());
  resize.observe(box);
  return box;
}

/** Draws (again) from the runs' points: called when runs, points or the theme change. */
export function renderSweep(): void {
  if (!box) return;
  // Each sweep the dashboard shows two or more runs of (a chart of one run compares nothing).
  const groups = groupBySweep(runs, (r) => r.info.sweep).filter((g) => g.members.length > 1);
  box.hidden = groups.length === 0;
  const width = Math.max(320, box.clientWidth || 640);
  box.replaceChildren(
    ...groups.flatMap(({ id, members }) => {
      const data = parallelCoordinates(members.map((r) => ({ runId: r.info.runId, params: r.info.sweep!.params, best: bestMetrics(r.points) })));
      return [el('h2', {}, `Sweep ${id}: ${members.length} runs`), chart(data, members, width), bestLine(data, members)];
    }),
  );
}

function chart(data: ParallelCoordinates, members: RunData[], width: number): SVGElement {
  const root = svg('svg', { class: 'pc', width, height: HEIGHT, viewBox: `0 0 ${width} ${HEIGHT}`, role: 'img', 'aria-label': `Parallel coordinates: ${data.axes.map((a) => a.label).join(', ')} of ${members.length} runs` });
  const span = width - MARGIN.left - MARGIN.right;
  const xOf = (i: number) => MARGIN.left + (data.axes.length === 1 ? span / 2 : (i * span) / (data.axes.length - 1));
  const yOf = (at: number) => MARGIN.top + (1 - at) * (HEIGHT - MARGIN.top - MARGIN.bottom);
  // The best run last, so that it is drawn on top.
  const order = [...data.lines].sort((a, b) => Number(a.runId === data.bestRunId) - Number(b.runId === data.bestRunId));
  for (const line of order) {
    const run = members.find((r) => r.info.runId === line.runId)!;
    let d = '';
    let pen = false;
    line.positions.forEach((at, i) => {
      if (at === null) {
        pen = false; // a gap where the run has no value (it failed before validating)
        return;
      }
      d += `${pen ? 'L' : 'M'}${xOf(i).toFixed(1)},${yOf(at).toFixed(1)}`;
      pen = true;
    });
    const path = svg('path', { class: `run${line.runId === data.bestRunId ? ' best' : ''}`, d, 'data-run': line.runId });
    path.style.stroke = colourOf(run);
    path.append(svg('title', {}, [runName(run), ...data.axes.map((a, i) => `${a.label}: ${line.values[i]}`)].join('\n')));
    root.append(path);
  }
  // The axes over the lines, so that their labels stay readable.
  data.axes.forEach((axis, i) => root.append(axisGroup(axis, xOf(i), yOf, i === data.axes.length - 1)));
  return root;
}

function axisGroup(axis: Axis, x: number, yOf: (at: number) => number, last: boolean): SVGElement {
  const g = svg('g', { class: `axis${axis.metric ? ' metric' : ''}` });
  g.append(svg('line', { x1: x, x2: x, y1: yOf(0), y2: yOf(1) }));
  g.append(svg('text', { class: 'label', x, y: MARGIN.top - 14, 'text-anchor': 'middle' }, axis.scale === 'log' ? `${axis.label} (log)` : axis.label));
  // Tick labels left of the axis, except the last axis', which go right (into the margin).
  for (const tick of axis.ticks) {
    const y = yOf(tick.at);
    g.append(svg('line', { class: 'tick', x1: x - 3, x2: x + 3, y1: y, y2: y }));
    g.append(svg('text', { class: 'tick-label', x: last ? x + 6 : x - 6, y: y + 4, 'text-anchor': last ? 'start' : 'end' }, tick.label));
  }
  return g;
}

function bestLine(data: ParallelCoordinates, members: RunData[]): HTMLElement {
  const best = data.lines.find((l) => l.runId === data.bestRunId);
  if (!best) return el('p', { class: 'muted' }, 'No run has validation metrics yet.');
  const run = members.find((r) => r.info.runId === best.runId)!;
  const settings = data.axes.map((a, i) => [a, best.values[i]] as const).filter(([a]) => !a.metric).map(([a, v]) => `${a.label} ${v}`);
  const metrics = data.axes.map((a, i) => [a, best.values[i]] as const).filter(([a]) => a.metric).map(([a, v]) => `${a.label} ${v}`);
  const swatch = el('span', { class: 'swatch' });
  swatch.style.background = colourOf(run);
  return el('p', { class: 'sweep-best' }, swatch, ` Best: ${settings.join(', ')} — ${metrics.join(', ')} (${best.runId})`);
}
