/** Export PNG: both charts, with the runs named on top, as one PNG on the theme's background. */
import { themeVar } from '../shared/dom';
import { chartCanvases } from './charts';
import { runName, runs, vscode } from './state';
import { colourOf, theme } from './theme';

export function exportPng(): void {
  const canvases = chartCanvases();
  if (!canvases) return;
  const [a, b] = canvases;
  const ratio = window.devicePixelRatio || 1;
  const head = Math.round(28 * ratio);
  const out = document.createElement('canvas');
  out.width = Math.max(a.width, b.width);
  out.height = head + a.height + b.height;
  const ctx = out.getContext('2d')!;
  ctx.fillStyle = theme.bg;
  ctx.fillRect(0, 0, out.width, out.height);
  ctx.font = `${Math.round(13 * ratio)}px ${themeVar('font-family', 'sans-serif')}`;
  ctx.textBaseline = 'middle';
  let x = 8 * ratio;
  for (const run of runs.filter((r) => !r.hidden)) {
    ctx.fillStyle = colourOf(run);
    ctx.fillRect(x, head / 2 - 5 * ratio, 10 * ratio, 10 * ratio);
    x += 14 * ratio;
    ctx.fillStyle = theme.fg;
    const label = `${runName(run)} (${run.info.status})`;
    ctx.fillText(label, x, head / 2);
    x += ctx.measureText(label).width + 16 * ratio;
  }
  ctx.drawImage(a, 0, head);
  ctx.drawImage(b, 0, head + a.height);
  const png = out.toDataURL('image/png').replace(/^data:image\/png;base64,/, '');
  vscode.postMessage({ type: 'exportPng', png });
}
