/**
 * A progress bar on stderr for long simulations: redrawn in place on a terminal, one line every
 * few seconds otherwise (CI logs stay short).
 */
export interface Progress {
  update(done: number, label?: string): void;
  finish(label?: string): void;
}

export function createProgress(total: number, title: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  const started = Date.now();
  let lastLine = 0;
  const tty = stream.isTTY === true;
  const render = (done: number, label: string): string => {
    const width = 30;
    const frac = total > 0 ? Math.min(1, done / total) : 1;
    const filled = Math.round(frac * width);
    const secs = Math.round((Date.now() - started) / 1000);
    return `${title} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${Math.round(frac * 100)}% ${secs}s ${label}`;
  };
  return {
    update(done, label = '') {
      if (tty) stream.write(`\r${render(done, label).padEnd(100)}`);
      else if (Date.now() - lastLine > 5_000) {
        lastLine = Date.now();
        stream.write(`${render(done, label)}\n`);
      }
    },
    finish(label = 'done') {
      stream.write(`${tty ? '\r' : ''}${render(total, label).padEnd(tty ? 100 : 0)}\n`);
    },
  };
}
