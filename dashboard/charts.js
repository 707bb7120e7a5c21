// Charts with Vega-Lite (served from the package's node_modules under /vendor/): a spec is
// compiled to Vega and rendered as SVG into its container. One live view per container; a new
// render replaces (and finalizes) the old one.

import { fill, h } from './ui.js';

const views = new WeakMap();

/** Shared look: the page's font and quiet axes. */
export const CHART_CONFIG = {
  font: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
  view: { stroke: null },
  axis: { labelColor: '#445', titleColor: '#223', gridColor: '#e6e8ef', domainColor: '#99a' },
  legend: { labelColor: '#334', titleColor: '#223' },
  title: { color: '#223', fontSize: 13, anchor: 'start' },
};

export function chartsAvailable() {
  return typeof window.vega?.View === 'function' && typeof window.vegaLite?.compile === 'function';
}

/** Renders a Vega-Lite spec into `container` (SVG). Resolves to the Vega view. */
export async function renderChart(container, spec, { renderer = 'svg' } = {}) {
  const old = views.get(container);
  if (old) old.finalize();
  views.delete(container);
  if (!chartsAvailable()) {
    fill(container, h('p', { class: 'empty' }, 'Charts are unavailable: the chart library (vega, vega-lite) was not found in node_modules.'));
    return undefined;
  }
  const full = { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', ...spec, config: { ...CHART_CONFIG, ...(spec.config ?? {}) } };
  const compiled = window.vegaLite.compile(full).spec;
  fill(container);
  const view = new window.vega.View(window.vega.parse(compiled), { renderer, container, hover: true });
  views.set(container, view);
  await view.runAsync();
  return view;
}

/** Forgets the chart in `container` (when its view is torn down). */
export function dropChart(container) {
  const old = views.get(container);
  if (old) old.finalize();
  views.delete(container);
}
