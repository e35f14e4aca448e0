/**
 * Where the tiles of a grid go (feature-map channels, filter kernels): a whole-pixel scale that makes a
 * tile about `target` CSS pixels (crisp, pixelated), as many columns as fit the width, a gap between tiles.
 * Pure functions.
 */

export interface TileLayout {
  /** CSS pixels per map pixel (whole numbers when enlarging; a fraction to shrink large maps). */
  scale: number;
  tileWidth: number;
  tileHeight: number;
  columns: number;
  rows: number;
  gap: number;
  /** The whole grid, in CSS pixels. */
  width: number;
  height: number;
}

export function tileScale(height: number, width: number, target: number): number {
  const side = Math.max(1, height, width);
  if (side >= target) return target / side;
  return Math.max(1, Math.floor(target / side));
}

/** `columns` fixes the number of columns (a filters grid: one column per input channel). */
export function tileLayout(count: number, height: number, width: number, options: { availableWidth: number; target?: number; gap?: number; columns?: number }): TileLayout {
  const gap = options.gap ?? 2;
  const scale = tileScale(height, width, options.target ?? 48);
  const tileWidth = Math.max(1, Math.round(width * scale));
  const tileHeight = Math.max(1, Math.round(height * scale));
  const fit = Math.floor((options.availableWidth + gap) / (tileWidth + gap));
  const columns = Math.max(1, Math.min(count, options.columns ?? fit));
  const rows = Math.max(1, Math.ceil(count / columns));
  return {
    scale, tileWidth, tileHeight, columns, rows, gap,
    width: columns * tileWidth + (columns - 1) * gap,
    height: rows * tileHeight + (rows - 1) * gap,
  };
}

/** Top-left corner of tile `index`. */
export function tileOrigin(layout: TileLayout, index: number): { x: number; y: number } {
  const col = index % layout.columns;
  const row = Math.floor(index / layout.columns);
  return { x: col * (layout.tileWidth + layout.gap), y: row * (layout.tileHeight + layout.gap) };
}

/** The tile and the map pixel under a point of the grid; undefined over a gap or outside. */
export function tileAt(layout: TileLayout, count: number, x: number, y: number, mapHeight: number, mapWidth: number): { index: number; row: number; col: number } | undefined {
  if (x < 0 || y < 0) return undefined;
  const col = Math.floor(x / (layout.tileWidth + layout.gap));
  const row = Math.floor(y / (layout.tileHeight + layout.gap));
  const inX = x - col * (layout.tileWidth + layout.gap);
  const inY = y - row * (layout.tileHeight + layout.gap);
  if (col >= layout.columns || inX >= layout.tileWidth || inY >= layout.tileHeight) return undefined;
  const index = row * layout.columns + col;
  if (index >= count) return undefined;
  return {
    index,
    row: Math.min(mapHeight - 1, Math.floor((inY / layout.tileHeight) * mapHeight)),
    col: Math.min(mapWidth - 1, Math.floor((inX / layout.tileWidth) * mapWidth)),
  };
}
