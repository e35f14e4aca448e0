/**
 * Foreign Patch Interpolation: the patch synthesis checked pixel by pixel on tiny images, the patch draws
 * within their ranges, and an FPI run end to end on MNIST (a small encoder-decoder trained two epochs on
 * digits 1-9, the held-out 0s scored by `fpi`).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { EngineClient } from '../../src/client/engineClient';
import { applyPatch, drawPatch, foreignPatchBatch } from '../../src/engine/evaluation/fpi';
import { auroc } from '../../src/engine/evaluation/ranking';
import { decodeTensor } from '../../src/engine/inspection/encode';
import { mulberry32 } from '../../src/engine/util/random';
import { AnomalyRequest } from '../../src/protocol/engineRequests';
import { DATASETS, ENGINE, ROOT, runCli, tempDir, trainRun } from '../helpers';

describe('foreign patch synthesis', () => {
  it('interpolates the patch towards the other image, every channel, and marks its foreign fraction', () => {
    // 6x6 images with 2 channels: x1 holds i, x2 100 + i at flat index i.
    const shape = [6, 6, 2];
    const x1 = Float32Array.from({ length: 72 }, (_, i) => i);
    const x2 = Float32Array.from({ length: 72 }, (_, i) => 100 + i);
    const out = new Float32Array(72);
    const target = new Float32Array(36);
    applyPatch(x1, x2, shape, { cy: 3, cx: 2, half: 1, alpha: 0.25 }, out, target);
    // The patch covers rows 2-3 and columns 1-2.
    for (let y = 0; y < 6; y++) {
      for (let x = 0; x < 6; x++) {
        const inside = y >= 2 && y <= 3 && x >= 1 && x <= 2;
        assert.equal(target[y * 6 + x], inside ? 0.25 : 0, `target at (${y}, ${x})`);
        for (let c = 0; c < 2; c++) {
          const i = (y * 6 + x) * 2 + c;
          assert.equal(out[i], inside ? 0.75 * i + 0.25 * (100 + i) : i, `pixel (${y}, ${x}, ${c})`);
        }
      }
    }
  });

  it('clips a patch at the border', () => {
    const out = new Float32Array(16);
    const target = new Float32Array(16);
    applyPatch(new Float32Array(16), new Float32Array(16).fill(1), [4, 4, 1], { cy: 0, cx: 3, half: 2, alpha: 0.5 }, out, target);
    // Rows -2..1 and columns 1..4 of a 4x4 image: rows 0-1, columns 1-3.
    assert.deepEqual(Array.from(target), [0, 0.5, 0.5, 0.5, 0, 0.5, 0.5, 0.5, 0, 0, 0, 0, 0, 0, 0, 0]);
    assert.deepEqual(Array.from(out), Array.from(target));
  });

  it('draws centres from the central half, half-widths of 5-20% of the side and fractions in [0.05, 0.95]', () => {
    const random = mulberry32(7);
    const halves = new Set<number>();
    for (let k = 0; k < 2000; k++) {
      const p = drawPatch(28, 28, random);
      assert.ok(p.cy >= 7 && p.cy < 21 && p.cx >= 7 && p.cx < 21, `centre (${p.cy}, ${p.cx})`);
      assert.ok(p.half >= 1 && p.half <= 6, `half ${p.half}`); // 0.05 * 28 = 1.4 .. 0.2 * 28 = 5.6, rounded
      assert.ok(p.alpha >= 0.05 && p.alpha <= 0.95, `alpha ${p.alpha}`);
      halves.add(p.half);
    }
    assert.deepEqual([...halves].sort(), [1, 2, 3, 4, 5, 6]);
  });

  it('takes each image\'s patch from another image of the batch', () => {
    // Three flat 8x8 images of values 0, 1 and 2.
    const x = Float32Array.from({ length: 3 * 64 }, (_, i) => Math.floor(i / 64));
    const targets = foreignPatchBatch(x, 3, [8, 8, 1], mulberry32(3));
    for (let n = 0; n < 3; n++) {
      const patched = [...x.subarray(n * 64, (n + 1) * 64)];
      const target = [...targets.subarray(n * 64, (n + 1) * 64)];
      const inside = target.map((a, i) => [a, i] as const).filter(([a]) => a > 0);
      assert.ok(inside.length >= 4, 'a patch of at least 2x2');
      const alpha = inside[0][0];
      // Outside the patch the image is its own; inside, (1 - a) own + a other, the other a different image.
      patched.forEach((v, i) => target[i] === 0 && assert.equal(v, n));
      const other = (patched[inside[0][1]] - (1 - alpha) * n) / alpha;
      assert.ok([0, 1, 2].some((m) => m !== n && Math.abs(other - m) < 1e-5), `image ${n} took its patch from ${other}`);
      for (const [a, i] of inside) assert.ok(a === alpha && Math.abs(patched[i] - ((1 - alpha) * n + alpha * other)) < 1e-5);
    }
  });
});

describe('an FPI run on MNIST, normal digits 1-9', () => {
  const MODEL = path.join(ROOT, 'test', 'evaluation', 'fixtures', 'fpi-net.model.js');

  it('trains on foreign fractions with BCE and scores the held-out 0s by fpi, the CSV giving the same AUROC', async () => {
    const dir = tempDir();
    const { runDir } = await trainRun(MODEL, ['--data', path.join(DATASETS, 'mnist'), '--normal-classes', '1-9', '--backend', 'wasm'], dir);
    const record = JSON.parse(fs.readFileSync(path.join(runDir, 'run.json'), 'utf8'));
    assert.deepEqual([record.config.task, record.config.loss, record.config.metrics], ['fpi', 'bce', []]);
    const csv = path.join(dir, 'fpi.csv');
    const result = await runCli(['anomaly', runDir, '--method', 'fpi', '--scores-out', csv, '--json']);
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout);
    assert.deepEqual([report.method, report.anomalyClasses], ['fpi', [0]]);
    // Two epochs of a small network: better than chance (about 0.67 here), not a benchmark.
    assert.ok(report.auroc > 0.6, `fpi AUROC ${report.auroc}`);
    const rows = fs.readFileSync(csv, 'utf8').trim().split('\n').slice(1).map((l) => l.split(',').map(Number));
    assert.ok(rows.every(([, , score]) => score >= 0 && score <= 1), 'scores are foreign fractions');
    assert.equal(auroc(rows.map((r) => r[2]), rows.map((r) => r[3])), report.auroc);
    // The score is the mean of the top quarter (196 of 784 pixels) of the predicted foreign fractions.
    const client = new EngineClient({ enginePath: ENGINE, maxRestarts: 0 });
    try {
      const asked = [rows[0][0], rows[1][0]];
      const withMaps = await client.sendRequest(AnomalyRequest, { runDir, method: 'fpi', maps: asked });
      for (const { index, map } of withMaps.maps!) {
        const top = Array.from(decodeTensor(map)).sort((a, b) => b - a).slice(0, 196);
        const score = rows.find((r) => r[0] === index)![2];
        assert.ok(Math.abs(top.reduce((a, b) => a + b, 0) / 196 - score) < 1e-6, `sample ${index}`);
      }
    } finally {
      await client.dispose();
    }
    const evaluation = await runCli(['eval', runDir]);
    assert.match(evaluation.stderr, /trained a foreign-patch \(FPI\) model: it has no classes to evaluate; score it with dl-lab anomaly --method fpi/);
  });
});
