/** Runs `openssl s_client` against a node, as an outsider without (or with a chosen) certificate. */
import { spawn } from 'node:child_process';

export interface SClientResult {
  code: number | null;
  output: string;
  timedOut: boolean;
}

/**
 * Connects with TLS 1.3 only, sends `input`, and waits until the node closes the connection
 * (`-ign_eof`: stdin's end does not end the session) or `timeoutMs` passes.
 */
export function sClient(address: string, extra: string[], input: Buffer | string, timeoutMs = 15_000): Promise<SClientResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('openssl', ['s_client', '-connect', address, '-tls1_3', '-ign_eof', ...extra], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('latin1').on('data', (d: string) => (output += d));
    child.stderr.setEncoding('latin1').on('data', (d: string) => (output += d));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output, timedOut });
    });
    child.stdin.on('error', () => {}); // the node may close first
    child.stdin.end(input);
  });
}
