import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { BACKENDS } from '../../src/protocol/engineTypes';
import { initBackend, probeBackends } from '../../src/engine/backends';
import { runBench } from '../../src/engine/bench/bench';
import { buildLeNet5 } from '../../src/engine/bench/lenet';
import { pythonCandidates, startPytorch } from '../../src/engine/bench/pytorch';
import { torchSpec } from '../../src/engine/bench/torchSpec';
import { pythonWith } from '../python';

const torchPython = pythonWith(['torch']);

tf.env().set('PROD', true);

/** LeNet-5's layer graph, for the PyTorch reference. */
const LENET_SPEC = (() => {
  const model = buildLeNet5();
  try {
    return torchSpec(model);
  } finally {
    model.dispose();
  }
})();

/**
 * Whether a native TensorFlow.js package works here. `npm ci` installs the optional packages without their
 * native library (their install script is not approved), so "present" is not "usable": these tests check
 * the fallback whenever the package cannot load, installed or not.
 */
function loads(pkg: string): boolean {
  try {
    require(pkg);
    return true;
  } catch {
    return false;
  }
}
const hasNode = loads('@tensorflow/tfjs-node');
const hasNodeGpu = loads('@tensorflow/tfjs-node-gpu');
const UNUSABLE = '(is not installed|failed to load|is installed but no CUDA device is visible)';

describe('backends', () => {
  it('probeBackends lists the backends in auto order; wasm and cpu are available', async () => {
    const probe = await probeBackends();
    assert.deepEqual(
      probe.map((b) => b.name),
      [...BACKENDS],
    );
    for (const b of probe) assert.ok(b.detail.length > 0, `${b.name} has a detail`);
    assert.equal(probe.find((b) => b.name === 'wasm')?.available, true);
    assert.equal(probe.find((b) => b.name === 'cpu')?.available, true);
    if (!hasNode) assert.match(probe.find((b) => b.name === 'tensorflow')!.detail, new RegExp(`@tensorflow/tfjs-node ${UNUSABLE}`));
  });

  it("auto picks wasm here and says why it skipped the tfjs-node packages", { skip: hasNode || hasNodeGpu ? 'a working tfjs-node is installed here' : false }, async () => {
    const report = await initBackend('auto');
    assert.equal(report.requested, 'auto');
    assert.equal(report.name, 'wasm');
    assert.equal(tf.getBackend(), 'wasm');
    assert.match(report.reason, new RegExp(`@tensorflow/tfjs-node-gpu ${UNUSABLE}`));
    assert.match(report.reason, new RegExp(`@tensorflow/tfjs-node ${UNUSABLE}`));
    assert.match(report.reason, /using wasm/);
  });

  it('an explicit backend that is not installed throws an error that says why', { skip: hasNode ? 'a working tfjs-node is installed here' : false }, async () => {
    await assert.rejects(initBackend('tensorflow'), new RegExp(`backend "tensorflow" is not available: @tensorflow/tfjs-node ${UNUSABLE}`));
  });

  it('tensorflow-gpu needs the package and a CUDA device', { skip: hasNodeGpu ? 'a working tfjs-node-gpu is installed here' : false }, async () => {
    await assert.rejects(initBackend('tensorflow-gpu'), /backend "tensorflow-gpu" is not available: @tensorflow\/tfjs-node-gpu/);
  });

  it('explicit cpu and wasm work and register the wasm training kernels', async () => {
    const cpu = await initBackend('cpu');
    assert.equal(cpu.name, 'cpu');
    assert.equal(tf.getBackend(), 'cpu');
    const wasm = await initBackend('wasm');
    assert.equal(wasm.name, 'wasm');
    assert.match(wasm.reason, /requested: using wasm/);
    assert.ok(tf.getKernel('Conv2DBackpropFilter', 'wasm'), 'Conv2DBackpropFilter is registered on wasm');
  });

  it('rejects an unknown backend name', async () => {
    await assert.rejects(initBackend('webgl' as never), /unknown backend "webgl"/);
  });
});

describe('bench', () => {
  it('measures wasm with a per-kernel profile (PyTorch off)', async () => {
    const logs: string[] = [];
    const report = await runBench({ backends: ['wasm'], models: ['lenet5'], steps: 5, pytorch: false }, (m) => logs.push(m));
    const [lenet] = report.models;
    assert.equal(lenet.batchSize, 64);
    assert.equal(lenet.trainableParams, 61706);
    assert.equal(lenet.results.length, 1);
    assert.equal(lenet.results[0].name, 'wasm');
    assert.ok(lenet.results[0].samplesPerSec > 0);
    const kernels = lenet.profile?.kernels ?? [];
    assert.ok(kernels.length > 5);
    assert.ok(kernels.some((k) => k.kernel === 'Conv2DBackpropFilter' && k.calls === 2), 'one filter gradient per convolution');
    assert.equal(lenet.profile?.kernelCalls, kernels.reduce((s, k) => s + k.calls, 0));
    assert.ok(logs.length > 0);
  });

  it('an unavailable backend is listed under skipped with its reason', { skip: hasNode ? 'a working tfjs-node is installed here' : false }, async () => {
    const report = await runBench({ backends: ['tensorflow'], models: ['lenet5'], steps: 5, pytorch: false }, () => {});
    assert.deepEqual(report.models[0].results, []);
    assert.equal(report.models[0].skipped[0].name, 'tensorflow');
    assert.match(report.models[0].skipped[0].reason, new RegExp(UNUSABLE));
  });

  it('says which interpreters it tried when none imports torch', async () => {
    const r = await startPytorch({ batchSize: 4, threads: 1, warmup: 1, spec: LENET_SPEC, numClasses: 10 }, ['/nonexistent/python3', process.execPath]);
    assert.equal(r.ok, false);
    if (!r.ok) {
      assert.match(r.reason, /no Python with torch/);
      assert.match(r.reason, /\/nonexistent\/python3: not found/);
    }
  });

  it('runs PyTorch windows on request, skipping interpreters that are missing', { skip: torchPython ? false : 'no Python with torch here' }, async () => {
    const r = await startPytorch({ batchSize: 8, threads: 1, warmup: 1, spec: LENET_SPEC, numClasses: 10 }, ['/nonexistent/python3', torchPython!]);
    assert.ok(r.ok, r.ok ? '' : r.reason);
    if (r.ok) {
      try {
        assert.equal(r.session.threads, 1);
        assert.ok((await r.session.window(2)) > 0);
        assert.ok((await r.session.window(2)) > 0);
      } finally {
        r.session.close();
      }
    }
  });

  it('looks for Python in $DL_LAB_PYTHON, /usr/bin/python3, python3', () => {
    assert.deepEqual(pythonCandidates({ DL_LAB_PYTHON: '/opt/py/bin/python' }), ['/opt/py/bin/python', '/usr/bin/python3', 'python3']);
    assert.deepEqual(pythonCandidates({}), ['/usr/bin/python3', 'python3']);
  });
});
