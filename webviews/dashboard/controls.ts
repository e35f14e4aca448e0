/**
 * The controls above the charts: x axis, smoothing of the batch loss, batches shown, log scale, and the
 * exports. Each change is kept (saveState) and redraws the charts.
 */
import type { DashboardXAxis } from '../../src/protocol/webview';
import { button } from '../shared/button';
import { checkbox, select } from '../shared/controls';
import { el } from '../shared/dom';
import { restyle } from './charts';
import { exportPng } from './exportPng';
import { options, rebuild, runs, saveState, vscode } from './state';

const AXES: [DashboardXAxis, string][] = [['step', 'Step'], ['epoch', 'Epoch'], ['time', 'Wall time']];

export function controls(): HTMLElement {
  const axis = select('X axis', AXES, options.xAxis, (value) => {
    const v = value as DashboardXAxis;
    if (v === options.xAxis || !AXES.some(([a]) => a === v)) return;
    options.xAxis = v;
    for (const r of runs) rebuild(r);
    saveState();
    restyle();
  }, 'x-axis');
  const log = checkbox('Log scale (loss)', options.logScale, (v) => {
    options.logScale = v;
    saveState();
    restyle();
  }, 'log-scale');
  const batches = checkbox('Batches', options.showBatches, (v) => {
    options.showBatches = v;
    saveState();
    restyle();
  }, 'show-batches');

  // vscode-elements has no slider: a native range input, themed in style.css.
  const slider = el('input', { type: 'range', id: 'smoothing', min: '0', max: '0.99', step: '0.01', value: String(options.smoothing), 'aria-label': 'Smoothing of the batch loss' });
  const sliderValue = el('output', { for: 'smoothing', class: 'value' }, options.smoothing.toFixed(2));
  slider.addEventListener('input', () => {
    const v = Number(slider.value);
    if (!(v >= 0 && v < 1)) return;
    options.smoothing = v;
    sliderValue.textContent = v.toFixed(2);
    for (const r of runs) rebuild(r);
    saveState();
    restyle();
  });

  return el(
    'div',
    { class: 'controls' },
    axis,
    el('label', { class: 'control smoothing' }, el('span', {}, 'Smoothing'), slider, sliderValue),
    batches,
    log,
    el('span', { class: 'spacer' }),
    button('Export PNG', exportPng, { secondary: true, id: 'export-png' }),
    button('Export CSV', () => vscode.postMessage({ type: 'exportCsv' }), { secondary: true, id: 'export-csv' }),
  );
}
