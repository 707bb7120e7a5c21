/**
 * Writes experiment results: a markdown table per experiment (with the exact command that made
 * it) and plots, under docs/results/.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export function markdownTable(rows: Record<string, unknown>[], columns: string[]): string {
  const head = `| ${columns.join(' | ')} |`;
  const rule = `| ${columns.map(() => '---').join(' | ')} |`;
  const body = rows.map((r) => `| ${columns.map((c) => format(r[c])).join(' | ')} |`);
  return [head, rule, ...body].join('\n');
}

function format(v: unknown): string {
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '–';
  return String(v ?? '');
}

export async function writeResult(dir: string, name: string, markdown: string, files: Record<string, string> = {}): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const written = [join(dir, `${name}.md`)];
  await writeFile(written[0]!, markdown);
  for (const [file, content] of Object.entries(files)) {
    const path = join(dir, file);
    await writeFile(path, content);
    written.push(path);
  }
  return written;
}
