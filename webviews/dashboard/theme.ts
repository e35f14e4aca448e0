/**
 * The dashboard's colours, read from the VS Code theme for the charts (CSS does not reach a canvas) and
 * read again when the theme changes, and how each callback marker looks on a chart and in the legend.
 */
import type { PointStyle } from 'chart.js';
import type { TrainEventKind } from '../../src/protocol/engineTypes';
import { chartPalette, themeVar } from '../shared/dom';
import type { RunData } from './state';

export interface Theme {
  fg: string;
  muted: string;
  grid: string;
  bg: string;
  palette: string[];
  highContrast: boolean;
}

function readTheme(): Theme {
  const highContrast = document.body.classList.contains('vscode-high-contrast') || document.body.classList.contains('vscode-high-contrast-light');
  const fg = themeVar('foreground', '#cccccc');
  return {
    fg,
    muted: themeVar('descriptionForeground', fg),
    grid: themeVar('editorWidget-border', themeVar('widget-border', 'rgba(128,128,128,0.35)')),
    bg: themeVar('editor-background', '#1e1e1e'),
    palette: chartPalette(),
    highContrast,
  };
}

export let theme = readTheme();

/** VS Code changed the theme (its body class and the --vscode-* variables change together). */
export function refreshTheme(): void {
  theme = readTheme();
}

/** A colour at some opacity (any CSS colour: the browser converts it). */
export function alpha(colour: string, a: number): string {
  const probe = document.createElement('canvas').getContext('2d')!;
  probe.fillStyle = colour;
  const c = probe.fillStyle; // #rrggbb or rgba(...)
  if (c.startsWith('#') && c.length === 7) {
    const n = parseInt(c.slice(1), 16);
    return `rgba(${n >> 16}, ${(n >> 8) & 255}, ${n & 255}, ${a})`;
  }
  const m = /rgba?\(([^)]+)\)/.exec(c);
  if (!m) return colour;
  const [r, g, b] = m[1].split(',').map((s) => s.trim());
  return `rgba(${r}, ${g}, ${b}, ${a})`;
}

export const colourOf = (run: RunData) => theme.palette[run.colour % theme.palette.length];

export const MARKERS: Record<TrainEventKind, { style: PointStyle; rotation: number; label: string; glyph: string }> = {
  bestCheckpoint: { style: 'star', rotation: 0, label: 'best checkpoint', glyph: '★' },
  lrReduced: { style: 'triangle', rotation: 180, label: 'learning rate reduced', glyph: '▼' },
  earlyStop: { style: 'rectRot', rotation: 0, label: 'early stop', glyph: '◆' },
  restoredBest: { style: 'circle', rotation: 0, label: 'best weights restored', glyph: '●' },
  nonFinite: { style: 'crossRot', rotation: 0, label: 'non-finite loss', glyph: '✕' },
};
