/**
 * The training dashboard page (bundled by scripts/build.mjs to dist/webviews/dashboard.js): loss and
 * accuracy charts (Chart.js) of one run or several overlaid, growing as `append` messages bring new
 * points. Every message is validated (src/protocol/webview.ts) before it is used. This file wires the
 * parts: state.ts (runs, options, series), charts.ts, header.ts (runs table, legend), controls.ts,
 * exportPng.ts, theme.ts (colours and marker styles); series.ts is the pure logic they share with the
 * extension.
 */
import type { DashboardUpdate } from '../../src/protocol/webview';
import { el } from '../shared/dom';
import { onMessages } from '../shared/vscode';
import { createCharts, destroyCharts, draw, restyle } from './charts';
import { controls } from './controls';
import { legend, renderHeader, renderLegend, runsTable } from './header';
import { stepsPerEpoch } from './series';
import { extend, findRun, rebuild, runs, saveState, setRuns, vscode } from './state';
import { renderSweep, sweepSection } from './sweepChart';
import { refreshTheme } from './theme';
import './style.css';

const app = document.getElementById('app')!;
let emptyNote: HTMLElement | undefined;

function layout(): void {
  destroyCharts();
  const lossCanvas = el('canvas', { id: 'loss-chart', role: 'img', 'aria-label': 'Loss by step' });
  const accCanvas = el('canvas', { id: 'acc-chart', role: 'img', 'aria-label': 'Accuracy by step' });
  emptyNote = el('p', { class: 'status', id: 'empty' }, 'Waiting for the first points…');
  app.replaceChildren(
    runsTable(),
    controls(),
    legend(),
    emptyNote,
    el('section', { class: 'chart' }, el('h2', {}, 'Loss'), el('div', { class: 'canvas-box' }, lossCanvas)),
    el('section', { class: 'chart' }, el('h2', {}, 'Accuracy'), el('div', { class: 'canvas-box' }, accCanvas)),
    sweepSection(),
  );
  createCharts(lossCanvas, accCanvas);
  renderHeader();
  renderLegend();
  renderSweep();
}

function handle(update: DashboardUpdate): void {
  switch (update.type) {
    case 'runs':
      setRuns(update.runs);
      saveState();
      layout();
      break;
    case 'run': {
      const run = findRun(update.run.runId);
      if (!run) return;
      if (update.run.status !== 'running') run.stopping = false;
      run.info = update.run;
      if (run.spe === undefined && update.run.batchesPerEpoch) {
        run.spe = update.run.batchesPerEpoch;
        rebuild(run);
        draw();
      }
      renderHeader();
      renderSweep();
      break;
    }
    case 'append': {
      const run = findRun(update.runId);
      if (!run) return;
      const hadKinds = new Set(run.markers.map((m) => m.kind)).size;
      run.points.push(...update.points);
      run.markers.push(...update.markers);
      if (run.spe === undefined) {
        run.spe = stepsPerEpoch(run.points);
        if (run.spe !== undefined) rebuild(run);
        else extend(run);
      } else extend(run);
      if (emptyNote && runs.some((r) => r.points.length)) emptyNote.hidden = true;
      if (new Set(run.markers.map((m) => m.kind)).size !== hadKinds) renderLegend();
      // Only an epoch's validation can change a run's best.
      if (update.points.some((p) => p.kind === 'epoch')) renderSweep();
      draw();
      break;
    }
    case 'reset': {
      const run = findRun(update.runId);
      if (!run) return;
      run.points = [];
      run.markers = [];
      rebuild(run);
      renderSweep();
      draw();
      break;
    }
  }
}

onMessages<DashboardUpdate>(handle);

// VS Code changes the body's theme class and the --vscode-* variables together.
new MutationObserver(() => {
  refreshTheme();
  renderHeader();
  renderLegend();
  restyle();
  renderSweep();
}).observe(document.body, { attributes: true, attributeFilter: ['class'] });

vscode.postMessage({ type: 'ready' });
