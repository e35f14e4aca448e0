/**
 * The viridis colormap (perceptually uniform, readable in grey and by most colour-blind readers), as a
 * 256-entry RGB table from a degree-6 polynomial fit of matplotlib's viridis. No TensorFlow.js: the CLI
 * draws PNGs with it.
 */
const C = [
  [0.2777273272234177, 0.005407344544966578, 0.3340998053353061],
  [0.1050930431085774, 1.404613529898575, 1.384590162594685],
  [-0.3308618287255563, 0.214847559468213, 0.09509516302823659],
  [-4.634230498983486, -5.799100973351585, -19.33244095627987],
  [6.228269936347081, 14.17993336680509, 56.69055260068105],
  [4.776384997670288, -13.74514537774601, -65.35303263337234],
  [-5.435455855934631, 4.645852612178535, 26.3124352495832],
];

/** 256 x RGB bytes: VIRIDIS[3 * q + k]. */
export const VIRIDIS: Uint8Array = (() => {
  const table = new Uint8Array(256 * 3);
  for (let q = 0; q < 256; q++) {
    const t = q / 255;
    for (let k = 0; k < 3; k++) {
      let v = 0;
      for (let d = C.length - 1; d >= 0; d--) v = v * t + C[d][k];
      table[3 * q + k] = Math.round(Math.min(1, Math.max(0, v)) * 255);
    }
  }
  return table;
})();
