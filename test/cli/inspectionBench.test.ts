/** `dl-lab bench`'s feature-map part: real requests to a real engine, for the LeNet-5 template and a VGG-style net. */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { benchFeatureMaps } from '../../src/cli/inspectionBench';
import { EngineClient } from '../../src/client/engineClient';
import { FeatureMapsRequest } from '../../src/protocol/engineRequests';
import { ENGINE } from '../helpers';

describe('the feature-map bench', () => {
  const client = new EngineClient({ enginePath: ENGINE, env: { DL_LAB_BACKEND: 'wasm' } });
  after(() => client.dispose());

  it('times every layer of one sample for both nets, after a warm-up', { timeout: 120_000 }, async () => {
    const results = await benchFeatureMaps((params) => client.sendRequest(FeatureMapsRequest, params));
    assert.deepEqual(results.map((r) => r.name.split(',')[0]), ['LeNet-5', 'VGG-style (3 blocks']);
    const [lenet, vgg] = results;
    assert.equal(lenet.layers, 8, 'the LeNet-5 template: conv, pool, conv, pool, flatten, three dense');
    assert.ok(vgg.layers > lenet.layers);
    for (const r of results) {
      assert.ok(r.medianMs > 0 && r.engineMs > 0 && r.firstMs > 0 && r.bytes > 0, JSON.stringify(r));
      assert.equal(r.requests, 9);
    }
  });
});
