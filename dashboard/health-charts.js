// The health view's chart specs (Vega-Lite): where the member stands in its cohort, per kind,
// and the member's own readings over time.

/** One kind's chart: the cohort's min–max rule, quartile box, median tick, mean, and me. */
export function standingSpec(st, unitText) {
  const s = st.stats;
  const row = { kind: 'cohort', min: s.min, q1: s.q1, median: s.median, q3: s.q3, max: s.max, mean: s.mean, me: st.value };
  // Room around the cohort and me; a cohort of one (or all equal) still gets a readable scale.
  let lo = Math.min(s.min, st.value);
  let hi = Math.max(s.max, st.value);
  const pad = hi - lo > 0 ? (hi - lo) * 0.08 : Math.max(1, Math.abs(hi) * 0.05);
  lo -= pad;
  hi += pad;
  const x = (field) => ({ field, type: 'quantitative', title: unitText || null, scale: { zero: false, domain: [lo, hi], nice: true }, axis: { tickCount: 6 } });
  const y = { field: 'kind', type: 'nominal', title: null, axis: null };
  return {
    width: 'container',
    height: 56,
    autosize: { type: 'fit-x', contains: 'padding' },
    data: { values: [row] },
    layer: [
      { mark: { type: 'rule', color: '#8a94a6', strokeWidth: 2 }, encoding: { x: x('min'), x2: { field: 'max' }, y } },
      { mark: { type: 'bar', color: '#c9d8f6', stroke: '#2f6fdf', size: 26, cornerRadius: 3 }, encoding: { x: x('q1'), x2: { field: 'q3' }, y, tooltip: [{ field: 'q1', title: 'lower quartile' }, { field: 'median' }, { field: 'q3', title: 'upper quartile' }] } },
      { mark: { type: 'tick', color: '#1d2a44', thickness: 3, size: 26 }, encoding: { x: x('median'), y, tooltip: [{ field: 'median' }] } },
      { mark: { type: 'point', shape: 'circle', filled: true, color: '#1d2a44', size: 60 }, encoding: { x: x('mean'), y, tooltip: [{ field: 'mean', format: '.1f' }] } },
      { mark: { type: 'point', shape: 'diamond', filled: true, color: '#d6336c', size: 220, stroke: 'white', strokeWidth: 1.5 }, encoding: { x: x('me'), y, tooltip: [{ field: 'me', title: 'you' }] } },
      { mark: { type: 'text', dy: -22, color: '#d6336c', fontWeight: 700 }, encoding: { x: x('me'), y, text: { value: 'you' } } },
    ],
  };
}

/** The member's readings, one small line chart per kind (kinds with a single reading left out). */
export function historySpec(values) {
  return {
    data: { values },
    facet: { row: { field: 'kind', type: 'nominal', title: null, header: { labelAngle: 0, labelAlign: 'left', labelAnchor: 'start', labelOrient: 'top', labelFontWeight: 600 } } },
    spec: {
      width: 520,
      height: 54,
      mark: { type: 'line', point: { size: 12 }, strokeWidth: 1.5 },
      encoding: {
        x: { field: 'at', type: 'temporal', title: null, axis: { format: '%b %d', labelOverlap: true } },
        y: { field: 'value', type: 'quantitative', title: null, scale: { zero: false }, axis: { tickCount: 3 } },
        color: { field: 'kind', type: 'nominal', legend: null },
        tooltip: [{ field: 'at', type: 'temporal', title: 'when', format: '%Y-%m-%d %H:%M' }, { field: 'value', type: 'quantitative' }],
      },
    },
    resolve: { scale: { y: 'independent' } },
    spacing: 6,
  };
}
