/** An error that becomes one HTTP status and a JSON body `{"error": {"code", "message"}}`. */
import { errorSpec, TokumeiError, type ErrorKind } from '../errors.js';

export class ControlHttpError extends TokumeiError {
  readonly status: number;
  constructor(status: number, code: string, message: string) {
    super(errorSpec(code)?.kind ?? kindForStatus(status), code, message);
    this.name = 'ControlHttpError';
    this.status = status;
  }
}

/**
 * Which HTTP status a TokumeiError thrown by a handler deserves — the one place where kinds meet
 * statuses: the caller's mistake 400, something named that is not there
 * 404, more than a limit 413, a policy's no 409, our own stored data broken 500, the network 502
 * (the node is a gateway to it), a deadline 504.
 */
export function statusForKind(kind: ErrorKind): number {
  switch (kind) {
    case 'bad-input':
    case 'protocol':
    case 'crypto':
      return 400;
    case 'not-found':
      return 404;
    case 'too-large':
      return 413;
    case 'refused':
      return 409;
    case 'corrupt':
      return 500;
    case 'io':
      return 502;
    case 'timeout':
      return 504;
    default:
      return 500;
  }
}

/** The status of an error a handler threw: by its kind, and 403 for a refusal of a wrong secret. */
export function statusForError(e: TokumeiError): number {
  if (e.kind === 'refused' && errorSpec(e.code)?.wrongSecret) return 403;
  return statusForKind(e.kind);
}

/** The inverse, for the client: the kind of error an HTTP status stands for. */
export function kindForStatus(status: number): ErrorKind {
  if (status === 401 || status === 409) return 'refused';
  if (status === 502 || status === 503) return 'io';
  if (status === 504) return 'timeout';
  if (status >= 500) return 'internal';
  return 'bad-input';
}
