/**
 * Every bad-input case of issue 4, each built from a real file (truncated, bytes flipped, a text file
 * renamed .png, ...): one clear message that names the file (and the row or index), or, where skipping is
 * reasonable, a warning that counts what was skipped. And a broken dataset never crashes the engine.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { describe, it } from 'node:test';
import { loadDataset } from '../../src/engine/data/dataset';
import { FIXTURES, jsonLines, runCli } from '../helpers';
import { cifarBinary, cifarFolder, cifarImage, encodePng, idxFolder, MNIST_IMAGES_GZ, MNIST_LABELS_GZ, mnistCsv, mnistSubset, npy, scratch } from './build';

/** Expects loadDataset to fail with a message matching every pattern. */
async function fails(spec: string, ...patterns: RegExp[]): Promise<string> {
  let message = '';
  await assert.rejects(loadDataset(spec), (err: Error) => {
    message = err.message;
    for (const p of patterns) assert.match(message, p);
    assert.doesNotMatch(message, /\n/, 'one line');
    return true;
  });
  return message;
}

function idxPair(dir: string, images: Buffer, labels: Buffer, gz = false): string {
  fs.writeFileSync(path.join(dir, `t10k-images-idx3-ubyte${gz ? '.gz' : ''}`), images);
  fs.writeFileSync(path.join(dir, `t10k-labels-idx1-ubyte${gz ? '.gz' : ''}`), labels);
  return dir;
}

describe('bad IDX input', () => {
  it('a truncated gzip names the file and says truncated', async () => {
    const gz = fs.readFileSync(MNIST_IMAGES_GZ);
    const dir = idxPair(scratch(), gz.subarray(0, Math.floor(gz.length / 2)), fs.readFileSync(MNIST_LABELS_GZ), true);
    await fails(dir, /t10k-images-idx3-ubyte\.gz: truncated gzip data/);
  });

  it('a corrupt gzip (bytes flipped) names the file and says corrupt', async () => {
    const gz = Buffer.from(fs.readFileSync(MNIST_LABELS_GZ));
    for (let i = 100; i < 110; i++) gz[i] ^= 0xff;
    const dir = idxPair(scratch(), fs.readFileSync(MNIST_IMAGES_GZ), gz, true);
    await fails(dir, /t10k-labels-idx1-ubyte\.gz: corrupt gzip data/);
  });

  it('a gzip whose checksum fails is reported as corrupt', async () => {
    const gz = Buffer.from(fs.readFileSync(MNIST_LABELS_GZ));
    gz[gz.length - 5] ^= 0xff; // inside the CRC-32 trailer
    const dir = idxPair(scratch(), fs.readFileSync(MNIST_IMAGES_GZ), gz, true);
    await fails(dir, /t10k-labels-idx1-ubyte\.gz: corrupt gzip data \(incorrect data check\)/);
  });

  it('a wrong magic number names the file, the number found and the one expected', async () => {
    const images = mnistSubset(50, 'images');
    images.writeUInt32BE(0x12345678, 0);
    const dir = idxPair(scratch(), images, mnistSubset(50, 'labels'));
    await fails(dir, /t10k-images-idx3-ubyte: not an IDX file: magic number 0x12345678, expected 0x00000803 \(images\)/);

    // Labels where images belong: a valid IDX magic, of the wrong kind.
    const swapped = idxPair(scratch(), mnistSubset(50, 'labels'), mnistSubset(50, 'labels'));
    await fails(swapped, /t10k-images-idx3-ubyte: magic number 0x00000801 says 1 dimensions; expected 0x00000803 \(images\)/);
  });

  it('a truncated raw IDX file says how many images the header promised and the file holds', async () => {
    const images = mnistSubset(100, 'images');
    const dir = idxPair(scratch(), images.subarray(0, 16 + 784 * 60 + 100), mnistSubset(100, 'labels'));
    await fails(dir, /t10k-images-idx3-ubyte: truncated: the header says 100 images of 28x28 \(78,400 bytes\) but the file holds 47,140 bytes \(60 whole images\)/);
  });

  it('an image/label count mismatch names both files and both counts', async () => {
    const dir = idxPair(scratch(), mnistSubset(100, 'images'), mnistSubset(99, 'labels'));
    await fails(dir, /t10k-images-idx3-ubyte holds 100 images but .*t10k-labels-idx1-ubyte holds 99 labels/);
  });

  it('an images file without its labels file says which name was expected', async () => {
    const dir = scratch();
    fs.writeFileSync(path.join(dir, 'train-images-idx3-ubyte'), mnistSubset(10, 'images'));
    await fails(dir, /train-images-idx3-ubyte: no labels file beside it \(expected train-labels-idx1-ubyte\[\.gz\]\)/);
  });

  it('a label outside the descriptor\'s class names names the file and the index', async () => {
    const dir = idxFolder(30);
    fs.writeFileSync(path.join(dir, 'digits.dataset.json'), JSON.stringify({ classNames: ['zero', 'one', 'two'] }));
    await fails(dir, /t10k-labels-idx1-ubyte: label 7 at index 0 is out of range for 3 classes/);
  });
});

describe('bad image folders', () => {
  it('skips a non-image file and a text file renamed .png, and says how many', async () => {
    const dir = cifarFolder(3, ['cat', 'dog']);
    fs.writeFileSync(path.join(dir, 'cat', 'notes.txt'), 'taken from CIFAR-10\n');
    fs.writeFileSync(path.join(dir, 'dog', 'fake.png'), 'this is text, not a PNG\n');
    fs.writeFileSync(path.join(dir, 'dog', 'fake2.jpg'), 'neither a JPEG\n');
    const ds = await loadDataset(dir);
    assert.equal(ds.count, 6);
    assert.deepEqual(ds.classNames, ['cat', 'dog']);
    assert.ok(ds.warnings!.includes('1 non-image file skipped (cat/notes.txt)'), ds.warnings!.join('\n'));
    assert.ok(ds.warnings!.includes('2 unreadable images skipped (first: dog/fake.png: not a PNG or JPEG file)'), ds.warnings!.join('\n'));
  });

  it('skips an unreadable (truncated) JPEG with a count and the reason', async () => {
    const dir = cifarFolder(4, ['bird', 'frog']);
    const victim = path.join(dir, 'frog', fs.readdirSync(path.join(dir, 'frog')).sort()[1]);
    const bytes = fs.readFileSync(victim);
    fs.writeFileSync(victim, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const ds = await loadDataset(dir);
    assert.equal(ds.count, 7);
    assert.equal(ds.warnings!.length, 1, ds.warnings!.join('\n'));
    assert.match(ds.warnings![0], /^1 unreadable image skipped \(frog\/0001\.jpg: corrupt JPEG \(.+\)\)$/);
    // The kept samples keep their labels.
    assert.deepEqual([...ds.labels], [0, 0, 0, 0, 1, 1, 1]);
  });

  it('an empty class folder is an error that names it', async () => {
    const dir = cifarFolder(2, ['ship', 'truck']);
    fs.mkdirSync(path.join(dir, 'horse'));
    await fails(dir, /horse: class folder "horse" is empty; remove it or add images/);
  });

  it('a class folder with only unreadable files is an error that says so', async () => {
    const dir = cifarFolder(2, ['ship', 'truck']);
    fs.mkdirSync(path.join(dir, 'horse'));
    fs.writeFileSync(path.join(dir, 'horse', 'a.png'), 'text');
    await fails(dir, /class folder "horse" holds no readable image \(1 unreadable file\)/);
  });

  it('mixed channel counts: grey images are converted to RGB with a warning that counts them', async () => {
    const dir = cifarFolder(3, ['cat', 'deer']);
    const { rgb } = cifarImage('deer', 5);
    const grey = new Uint8Array(32 * 32);
    for (let p = 0; p < grey.length; p++) grey[p] = Math.round((rgb[p * 3] + rgb[p * 3 + 1] + rgb[p * 3 + 2]) / 3);
    fs.writeFileSync(path.join(dir, 'deer', 'grey.png'), encodePng(32, 32, 1, grey));
    const ds = await loadDataset(dir);
    assert.deepEqual(ds.shape, [32, 32, 3]);
    assert.equal(ds.count, 7);
    assert.match(ds.warnings!.join('\n'), /mixed channel counts: 1 grey image of 7 converted to RGB \(first: deer\/grey\.png\)/);
    // The grey image is replicated over R, G and B.
    const i = ds.count - 1;
    const sample = ds.images.subarray(i * 3072, (i + 1) * 3072);
    for (let p = 0; p < 1024; p++) assert.ok(sample[p * 3] === grey[p] && sample[p * 3 + 1] === grey[p] && sample[p * 3 + 2] === grey[p]);
  });

  it('images of another size are resized to the most common size, with a warning', async () => {
    const dir = cifarFolder(3, ['cat', 'dog']);
    const { rgb } = cifarImage('dog', 7);
    const big = new Uint8Array(64 * 64 * 3);
    for (let y = 0; y < 64; y++) for (let x = 0; x < 64; x++) for (let c = 0; c < 3; c++) big[(y * 64 + x) * 3 + c] = rgb[((y >> 1) * 32 + (x >> 1)) * 3 + c];
    fs.writeFileSync(path.join(dir, 'dog', 'big.png'), encodePng(64, 64, 3, big));
    const ds = await loadDataset(dir);
    assert.deepEqual(ds.shape, [32, 32, 3]);
    assert.match(ds.warnings!.join('\n'), /1 image resized to 32x32 \(first: dog\/big\.png, 64x64\)/);
  });
});

describe('bad CSV, CIFAR and NPY input', () => {
  it('a CSV cell that is not a number names the file, the line and the column', async () => {
    const dir = scratch();
    const lines = mnistCsv(10).split('\n');
    const cells = lines[4].split(',');
    cells[3] = 'abc';
    lines[4] = cells.join(',');
    fs.writeFileSync(path.join(dir, 'digits.csv'), lines.join('\n'));
    await fails(path.join(dir, 'digits.csv'), /digits\.csv:5: column "px3" is "abc", not a number/);
  });

  it('a CSV row with a missing cell names the line', async () => {
    const dir = scratch();
    const lines = mnistCsv(5).split('\n');
    lines[2] = lines[2].split(',').slice(1).join(',');
    fs.writeFileSync(path.join(dir, 'digits.csv'), lines.join('\n'));
    await fails(path.join(dir, 'digits.csv'), /digits\.csv:3: 784 cells, but the header has 785/);
  });

  it('a truncated CIFAR batch says how many whole records it holds', async () => {
    const dir = scratch();
    const { buffer } = cifarBinary(2);
    fs.writeFileSync(path.join(dir, 'data_batch_1.bin'), buffer.subarray(0, buffer.length - 1000));
    await fails(dir, /data_batch_1\.bin: 60,460 bytes is not a whole number of 3073-byte CIFAR-10 records \(19 whole, 2073 bytes left over\)/);
  });

  it('NPY: truncated data and an x/y count mismatch name the files', async () => {
    const { images, labels } = { images: mnistSubset(20, 'images').subarray(16), labels: mnistSubset(20, 'labels').subarray(8) };
    const dir = scratch();
    const x = npy('|u1', [20, 28, 28], images);
    fs.writeFileSync(path.join(dir, 'x.npy'), x.subarray(0, x.length - 784));
    fs.writeFileSync(path.join(dir, 'y.npy'), npy('|u1', [20], labels));
    await fails(dir, /x\.npy: truncated: shape \(20, 28, 28\) of \|u1 needs 15,680 bytes, the file holds 14,896 bytes/);

    fs.writeFileSync(path.join(dir, 'x.npy'), x);
    fs.writeFileSync(path.join(dir, 'y.npy'), npy('|u1', [19], labels.subarray(0, 19)));
    await fails(dir, /x\.npy holds 20 samples but .*y\.npy holds 19 labels/);
  });

  it('an unrecognised file or folder says what was expected', async () => {
    const dir = scratch();
    fs.writeFileSync(path.join(dir, 'readme.md'), '# nothing here');
    await fails(dir, /no dataset found \(1 files, none recognised\); expected IDX files/);
    await fails(cifarImage('cat').file, /cat\/0000\.jpg: one image is not a dataset/);
  });

  it('a descriptor with an unknown key or a bad value names the key', async () => {
    const dir = idxFolder(10);
    fs.writeFileSync(path.join(dir, 'd.dataset.json'), JSON.stringify({ chanels: 1 }));
    await fails(path.join(dir, 'd.dataset.json'), /d\.dataset\.json: unknown key "chanels"/);
    fs.writeFileSync(path.join(dir, 'd.dataset.json'), JSON.stringify({ normalization: { mean: [0.1], std: [0] } }));
    await fails(dir, /d\.dataset\.json: "normalization" is .*; expected/);
    fs.writeFileSync(path.join(dir, 'd.dataset.json'), '{ "format": "idx", }');
    await fails(dir, /d\.dataset\.json: not valid JSON/);
  });
});

describe('a broken dataset never crashes the engine', () => {
  it('dl-lab train on a truncated gzip ends the run as failed, with the message, and exit code 1', async () => {
    const gz = fs.readFileSync(MNIST_IMAGES_GZ);
    const dir = idxPair(scratch(), gz.subarray(0, 200_000), fs.readFileSync(MNIST_LABELS_GZ), true);
    const runsDir = scratch();
    const model = path.join(FIXTURES, 'models', 'tiny-dense.model.js');
    const result = await runCli(['train', model, '--data', dir, '--epochs', '1', '--backend', 'cpu', '--runs-dir', runsDir, '--json']);
    assert.equal(result.code, 1, result.stderr);
    const end = jsonLines(result.stdout).at(-1)!;
    assert.equal(end.event, 'end');
    assert.equal(end.status, 'failed', 'failed, not interrupted: the engine stayed up');
    assert.match(end.error, /t10k-images-idx3-ubyte\.gz: truncated gzip data/);
    const run = JSON.parse(fs.readFileSync(path.join(end.runDir, 'run.json'), 'utf8'));
    assert.equal(run.status, 'failed');
  });

  it('dl-lab data inspect on a corrupt file prints one line and exits 1', async () => {
    const dir = idxPair(scratch(), zlib.gzipSync(mnistSubset(10, 'images')).subarray(0, 50), zlib.gzipSync(mnistSubset(10, 'labels')), true);
    const result = await runCli(['data', 'inspect', dir]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^dl-lab: .*t10k-images-idx3-ubyte\.gz: truncated gzip data/);
    assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
  });
});
