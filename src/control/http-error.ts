/** An error that becomes one HTTP status and a JSON body `{"error": {"code", "message"}}`. */
import { TokumeiError, type ErrorKind } from '../errors.js';

export class ControlHttpError extends TokumeiError {
  readonly status: number;
  constructor(status: number, code: string, message: string) {
    super(status >= 500 ? 'internal' : 'bad-input', code, message);
    this.name = 'ControlHttpError';
    this.status = status;
  }
}

/** Which HTTP status a TokumeiError thrown by a handler deserves. */
export function statusForKind(kind: ErrorKind): number {
  switch (kind) {
    case 'bad-input':
    case 'protocol':
    case 'crypto':
    case 'refused':
      return 400;
    case 'timeout':
      return 504;
    default:
      return 500;
  }
}
