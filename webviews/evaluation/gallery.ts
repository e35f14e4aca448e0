/**
 * Sample thumbnails (a cell's gallery and the most confident mistakes): the picture, when it has arrived,
 * drawn from its uint8 [H, W, C] bytes on a canvas, with the predicted and true class and the confidence.
 * A click (or Enter) opens the sample in the Feature Maps view.
 */
import type { EvaluationImage } from '../../src/protocol/webview';
import type { EvaluatedSample } from '../../src/protocol/engineTypes';
import { base64ToBytes } from '../inspection/tensor';
import { el } from '../shared/dom';
import { percent, shortName } from './format';

/** The pictures received, by dataset index (kept across cells: the same sample is not asked twice). */
export const pictures = new Map<number, EvaluationImage>();

/** The picture at its own resolution; CSS scales it to the thumbnail without smoothing. */
function draw(canvas: HTMLCanvasElement, picture: EvaluationImage): void {
  const [h, w, c] = picture.image.shape;
  const bytes = base64ToBytes(picture.image.data);
  canvas.width = w;
  canvas.height = h;
  const rgba = new ImageData(w, h);
  for (let i = 0; i < w * h; i++) {
    for (let k = 0; k < 3; k++) rgba.data[i * 4 + k] = bytes[i * c + (c >= 3 ? k : 0)];
    rgba.data[i * 4 + 3] = 255;
  }
  canvas.getContext('2d')!.putImageData(rgba, 0, 0);
  canvas.classList.add('drawn');
}

/** The three most probable classes, for the tooltip. */
function topClasses(picture: EvaluationImage, classes: string[]): string {
  return picture.probabilities
    .map((p, i) => ({ p: p ?? 0, i }))
    .sort((a, b) => b.p - a.p)
    .slice(0, 3)
    .map(({ p, i }) => `${classes[i] ?? i}: ${percent(p)}`)
    .join(', ');
}

export function thumbnails(samples: EvaluatedSample[], classes: string[], open: (index: number) => void): HTMLElement {
  return el(
    'div',
    { class: 'thumbs', role: 'list' },
    ...samples.map((s) => {
      const canvas = el('canvas', { class: 'thumb-image', width: '1', height: '1', 'aria-hidden': 'true' });
      const wrong = s.label !== s.predicted;
      const name = (i: number) => shortName(classes[i] ?? String(i), 10);
      const figure = el(
        'figure',
        { class: `thumb${wrong ? ' wrong' : ''}`, role: 'listitem', tabindex: '0', 'data-index': String(s.index), title: `sample #${s.index}: predicted ${classes[s.predicted]} (${percent(s.confidence)}), true ${classes[s.label]} (${percent(s.trueProbability)}). Click to open its feature maps.` },
        canvas,
        el(
          'figcaption',
          {},
          el('span', { class: 'pred' }, `pred ${name(s.predicted)} · ${percent(s.confidence, 0)}`),
          el('span', { class: 'truth' }, wrong ? `true ${name(s.label)}` : 'correct'),
          el('span', { class: 'index' }, `#${s.index}`),
        ),
      );
      figure.addEventListener('click', () => open(s.index));
      figure.addEventListener('keydown', (e) => {
        if (e.key === 'Enter' || e.key === ' ') {
          e.preventDefault();
          open(s.index);
        }
      });
      const picture = pictures.get(s.index);
      if (picture) {
        draw(canvas, picture);
        figure.title += `\nTop classes: ${topClasses(picture, classes)}`;
      }
      return figure;
    }),
  );
}

/** Draws the pictures that just arrived into the thumbnails already on the page. */
export function receivePictures(images: EvaluationImage[], classes: string[]): void {
  for (const picture of images) {
    pictures.set(picture.index, picture);
    for (const figure of document.querySelectorAll<HTMLElement>(`figure.thumb[data-index="${picture.index}"]`)) {
      const canvas = figure.querySelector('canvas');
      if (canvas && !canvas.classList.contains('drawn')) {
        draw(canvas, picture);
        figure.title += `\nTop classes: ${topClasses(picture, classes)}`;
      }
    }
  }
}
