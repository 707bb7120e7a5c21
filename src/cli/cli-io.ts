/**
 * Where a command reads and writes: the real process by default, buffers in tests. Commands never
 * touch process.stdout / process.env directly, so they run in-process under test.
 */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  env: NodeJS.ProcessEnv;
  stdin: NodeJS.ReadStream;
  /** True when stdout is a terminal (tables may then redraw in place). */
  stdoutIsTty: boolean;
}

export function processIo(): CliIo {
  return {
    out: (t) => void process.stdout.write(t),
    err: (t) => void process.stderr.write(t),
    env: process.env,
    stdin: process.stdin,
    stdoutIsTty: process.stdout.isTTY === true,
  };
}
