/**
 * Field checks for the strict JSON formats (emergency openings §2.7, health §8): each takes a
 * `Fail` that throws the caller's typed error, so one format's refusals keep one code.
 */
export type Fail = (message: string) => never;

export function hexField(v: unknown, bytes: number, what: string, fail: Fail): string {
  if (typeof v !== 'string' || v.length !== bytes * 2 || !/^[0-9a-f]*$/.test(v)) fail(`${what} must be ${bytes} bytes of lower-case hex`);
  return v;
}

export function intField(v: unknown, min: number, max: number, what: string, fail: Fail): number {
  if (!Number.isSafeInteger(v) || (v as number) < min || (v as number) > max) fail(`${what} must be an integer in ${min}..${max}`);
  return v as number;
}
