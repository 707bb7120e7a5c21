/**
 * The preference file (DESIGN §5): addresses of first nodes, published in advance.
 * One `host:port` per line; `#` starts a comment; blank lines are ignored.
 */

import { parseAddress } from './address.js';
import { OverlayErrors } from './overlay-errors.js';

/** BOUNDED(256): a preference file names a handful of first nodes, not a directory. */
export const MAX_PREFERENCE_ENTRIES = 256;

export function parsePreferenceFile(text: string): string[] {
  const out: string[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? '').replace(/#.*$/, '').trim();
    if (line === '') continue;
    try {
      out.push(parseAddress(line).text);
    } catch (e) {
      throw OverlayErrors.PREFERENCE_FILE_INVALID(`preference file line ${i + 1}: ${(e as Error).message}`);
    }
    if (out.length > MAX_PREFERENCE_ENTRIES) {
      throw OverlayErrors.PREFERENCE_FILE_INVALID(`preference file names more than ${MAX_PREFERENCE_ENTRIES} addresses`);
    }
  }
  return [...new Set(out)];
}
