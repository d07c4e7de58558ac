/**
 * The language module's entry: one reader per thread, its model loaded on first use (about 8 MB
 * of weights, so threads that never read words never load it).
 */
import { OfflineLanguageReader } from './reader.ts';

let reader: OfflineLanguageReader | undefined;

export function sharedLanguageReader(): OfflineLanguageReader {
  reader ??= new OfflineLanguageReader();
  return reader;
}

export { OfflineLanguageReader };
