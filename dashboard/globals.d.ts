// What the dashboard's pages get from outside its modules: the chart libraries, loaded as classic
// scripts from /vendor/ (see index.html), which define globals.
declare global {
  interface Window {
    vega?: { View: new (runtime: unknown, options: Record<string, unknown>) => { runAsync(): Promise<unknown>; finalize(): void }; parse(spec: unknown): unknown };
    vegaLite?: { compile(spec: unknown): { spec: unknown } };
  }
}
export {};
