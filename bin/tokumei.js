#!/usr/bin/env node
// The `tokumei` command. The CLI is TypeScript compiled to dist/; say so clearly when it is not built.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const main = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'src', 'cli', 'main.js');
if (!existsSync(main)) {
  process.stderr.write('tokumei: NOT_BUILT: dist/src/cli/main.js is missing; run `npm run build` (or `npm start`, which builds first)\n');
  process.exit(1);
}
const { run } = await import(pathToFileURL(main).href);
process.exitCode = await run(process.argv.slice(2));
