/**
 * Reads one line from a terminal without echoing it (for passphrases). Raw mode lets us see each
 * key: Enter ends, Backspace edits, Ctrl-C / Ctrl-D abort.
 */

import { CliErrors } from './cli-errors.js';

/** Passphrases longer than this are a paste accident, not a passphrase. */
const MAX_LENGTH = 1024;

export function promptHidden(stdin: NodeJS.ReadStream, write: (t: string) => void, prompt: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let value = '';
    const wasRaw = stdin.isRaw;
    const finish = (error?: Error) => {
      stdin.removeListener('data', onData);
      stdin.setRawMode(wasRaw);
      stdin.pause();
      write('\n');
      if (error) reject(error);
      else resolve(value);
    };
    const onData = (chunk: Buffer) => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return finish();
        if (ch === '\u0003') return finish(CliErrors.PASSPHRASE_ABORTED('interrupted'));
        if (ch === '\u0004') {
          if (value === '') return finish(CliErrors.PASSPHRASE_ABORTED('no passphrase given'));
          return finish();
        }
        if (ch === '\u007f' || ch === '\b') value = [...value].slice(0, -1).join('');
        else if (ch >= ' ' && value.length < MAX_LENGTH) value += ch;
      }
    };
    // Echo goes off before the prompt shows, so that nothing typed after seeing it is echoed.
    stdin.setRawMode(true);
    write(prompt);
    stdin.resume();
    stdin.on('data', onData);
  });
}
