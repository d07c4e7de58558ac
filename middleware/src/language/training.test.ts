import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MODEL_DIR } from './artifact.ts';
import { trainModel } from './training.ts';

describe('training the language model', function () {
  this.timeout(180_000);

  it('gives the checked-in artifact byte for byte from the checked-in corpus', () => {
    const artifact = trainModel();
    assert.equal(
      artifact.json,
      readFileSync(join(MODEL_DIR, 'model.json'), 'utf8'),
      'model.json differs from a fresh `npm run train`',
    );
    assert.ok(
      artifact.weights.equals(readFileSync(join(MODEL_DIR, 'weights.bin.gz'))),
      'weights.bin.gz differs from a fresh `npm run train`',
    );
  });
});
