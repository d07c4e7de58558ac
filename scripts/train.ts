/**
 * `npm run train`: trains the language model from the labelled corpus and writes the artifact
 * (middleware/model/language/). The same corpus gives a byte-identical artifact.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MODEL_DIR, trainModel } from '@dealdesk/middleware/language-model';

const started = performance.now();
const artifact = trainModel();
mkdirSync(MODEL_DIR, { recursive: true });
writeFileSync(join(MODEL_DIR, 'model.json'), artifact.json);
writeFileSync(join(MODEL_DIR, 'weights.bin.gz'), artifact.weights);
console.log(
  JSON.stringify(
    { ...artifact.summary, seconds: Math.round((performance.now() - started) / 100) / 10, dir: MODEL_DIR },
    null,
    2,
  ),
);
