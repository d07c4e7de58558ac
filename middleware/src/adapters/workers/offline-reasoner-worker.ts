/** A worker-pool thread: runs the Deal Closure Agent's offline reasoner on one deal. */
import {
  reasonOfflineNow,
  type OfflineReasoning,
  type OfflineReasoningInput,
} from '../../agents/deal-closure/offline-reasoner.ts';
import { sharedLanguageReader } from '../../language/index.ts';

export default function reason(input: OfflineReasoningInput): OfflineReasoning {
  return reasonOfflineNow(input, sharedLanguageReader());
}
