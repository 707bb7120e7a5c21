/**
 * Plots for experiment results: a Vega-Lite spec rendered to SVG headlessly (no browser, no canvas).
 */
import * as vega from 'vega';
import * as vl from 'vega-lite';

export interface LineChart {
  title: string;
  x: { field: string; title: string; log?: boolean };
  y: { field: string; title: string; log?: boolean; domain?: [number, number] };
  series: string;
  values: Record<string, string | number>[];
}

export async function lineChartSvg(c: LineChart): Promise<string> {
  const spec = vl.compile({
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: c.title,
    width: 480,
    height: 280,
    data: { values: c.values },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: c.x.field, type: 'quantitative', title: c.x.title, scale: c.x.log ? { type: 'log' } : { zero: false } },
      y: { field: c.y.field, type: 'quantitative', title: c.y.title, scale: c.y.log ? { type: 'log' } : c.y.domain ? { domain: c.y.domain } : { zero: false } },
      color: { field: c.series, type: 'nominal', title: null },
    },
  } as vl.TopLevelSpec).spec;
  const view = new vega.View(vega.parse(spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}
