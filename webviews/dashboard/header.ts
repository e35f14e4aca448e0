/**
 * Above the charts: the runs table (status, Stop, backend, epoch, samples/s, time left per run) and the
 * legend (a button per run that hides or shows it, and the key to the lines and callback markers).
 */
import type { DashboardRun } from '../../src/protocol/webview';
import { button } from '../shared/button';
import { el } from '../shared/dom';
import { restyle } from './charts';
import { formatDuration, formatValue } from './series';
import { options, runName, runs, vscode } from './state';
import { colourOf, MARKERS } from './theme';

let headerBody: HTMLElement | undefined;
let legendBox: HTMLElement | undefined;

/** The runs table, empty until renderHeader fills it. */
export function runsTable(): HTMLElement {
  headerBody = el('tbody');
  return el('div', { class: 'table-box' }, el('table', { class: 'runs' }, el('thead', {}, el('tr', {}, ...['', 'Run', 'Status', 'Backend', 'Epoch', 'Samples/s', 'Time left'].map((h) => el('th', {}, h)))), headerBody));
}

/** The legend's place, filled by renderLegend. */
export function legend(): HTMLElement {
  legendBox = el('div', { class: 'legend', role: 'group', 'aria-label': 'Runs (click to hide or show)' });
  return legendBox;
}

function statusText(info: DashboardRun, stopping: boolean): string {
  if (info.status === 'running' && stopping) return 'stopping…';
  return info.status;
}

export function renderHeader(): void {
  if (!headerBody) return;
  headerBody.replaceChildren(
    ...runs.map((run) => {
      const i = run.info;
      const swatch = el('span', { class: 'swatch' });
      swatch.style.background = colourOf(run);
      const status = el('span', { class: `badge status-${i.status}` }, statusText(i, run.stopping));
      const name = el('td', { class: 'name', title: i.runDir }, el('strong', {}, i.model || 'run'), el('div', { class: 'muted run-id' }, i.runId));
      if (i.error) name.append(el('div', { class: 'error', role: 'alert' }, i.error));
      // Stop sits by the status, so that a narrow panel still shows it.
      const stop = el('td', { class: 'status' }, status);
      if (i.status === 'running' && i.stoppable) {
        const b = button(run.stopping ? 'Stopping…' : 'Stop', () => {
          run.stopping = true;
          vscode.postMessage({ type: 'stop', runId: i.runId });
          renderHeader();
        });
        b.className = 'stop';
        if (run.stopping) b.setAttribute('disabled', '');
        stop.append(b);
      }
      if (i.status !== 'running') {
        // Evaluate Run opens the run's Evaluation view (confusion matrix, mistakes) beside the code.
        const e = button('Evaluate', () => vscode.postMessage({ type: 'evaluate', runId: i.runId }), { secondary: true, title: 'Evaluate this run on held-out data' });
        e.classList.add('evaluate');
        e.style.marginLeft = '8px';
        stop.append(e);
      }
      const epoch = i.epochs ? `${i.epoch ?? 0}/${i.epochs}` : i.epoch !== undefined ? String(i.epoch) : '–';
      const lr = i.learningRate !== undefined ? ` · lr ${formatValue(i.learningRate)}` : '';
      return el(
        'tr',
        { 'data-run': i.runId },
        el('td', {}, swatch),
        name,
        stop,
        el('td', {}, i.backend ?? '–'),
        el('td', { class: 'num' }, epoch + lr),
        el('td', { class: 'num' }, i.samplesPerSec !== undefined && i.status === 'running' ? Math.round(i.samplesPerSec).toLocaleString('en-US') : '–'),
        el('td', { class: 'num time-left' }, i.status === 'running' && i.timeLeftSec !== undefined ? formatDuration(i.timeLeftSec) : '–'),
      );
    }),
  );
  document.body.dataset.status = runs.map((r) => statusText(r.info, r.stopping)).join(',');
}

export function renderLegend(): void {
  if (!legendBox) return;
  const items: Node[] = runs.map((run) => {
    const b = el('button', { class: 'legend-run', 'aria-pressed': String(!run.hidden), title: run.hidden ? 'Show this run' : 'Hide this run' });
    const swatch = el('span', { class: 'swatch' });
    swatch.style.background = colourOf(run);
    b.append(swatch, runName(run));
    b.addEventListener('click', () => {
      run.hidden = !run.hidden;
      renderLegend();
      restyle();
    });
    return b;
  });
  const kinds = new Set(runs.flatMap((r) => r.markers.map((m) => m.kind)));
  const key = el(
    'span',
    { class: 'key' },
    el('span', { class: 'line solid' }), 'train',
    el('span', { class: 'line dashed' }), 'validation',
    ...(options.showBatches ? [el('span', { class: 'line thin' }), 'batch'] : []),
    ...[...kinds].flatMap((k) => [el('span', { class: 'glyph' }, MARKERS[k].glyph), MARKERS[k].label]),
  );
  legendBox.replaceChildren(...items, key);
}
