/** Where bin/tokumei.js is, seen from the compiled dist/src/demo/ folder, so commands can spawn nodes. */
import { fileURLToPath } from 'node:url';

export function tokumeiBinPath(): string {
  return fileURLToPath(new URL('../../../bin/tokumei.js', import.meta.url));
}
