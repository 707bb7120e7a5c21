/** Reads a request body up to a limit; a larger body is refused (413) without buffering it all. */
import type { IncomingMessage } from 'node:http';
import { ControlHttpError } from './http-error.js';

export function readBody(req: IncomingMessage, limitBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limitBytes) {
      reject(new ControlHttpError(413, 'CONTROL_BODY_TOO_LARGE', `request body exceeds ${limitBytes} bytes`));
      return;
    }
    const chunks: Buffer[] = []; // BOUNDED(limitBytes in total)
    let size = 0;
    let done = false;
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > limitBytes) {
        done = true;
        chunks.length = 0;
        reject(new ControlHttpError(413, 'CONTROL_BODY_TOO_LARGE', `request body exceeds ${limitBytes} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (done) return;
      done = true;
      resolve(Buffer.concat(chunks));
    });
    req.on('error', (e) => {
      if (done) return;
      done = true;
      reject(e);
    });
  });
}
