/**
 * Shared building blocks for the Nanoe dashboards: the dashboard skeleton (uid, tags, refresh, time
 * range, the `datasource` variable), query variables, and panel factories that always set a unit, a
 * description, a visible legend, the datasource variable and a refId on every target.
 *
 * Only `generate.ts` and the tests load this (through the Grafana foundation SDK); the app reads the
 * generated `dashboards/*.json`.
 */
import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import {
  AnnotationQueryBuilder,
  DashboardBuilder,
  DashboardCursorSync,
  DatasourceVariableBuilder,
  MappingType,
  QueryVariableBuilder,
  RowBuilder,
  ThresholdsConfigBuilder,
  ThresholdsMode,
  VariableRefresh,
  VariableSort,
  type Dashboard,
  type Panel,
  type Threshold,
  type ThresholdsConfig,
  type ValueMapping,
  type VariableModel,
} from '@grafana/grafana-foundation-sdk/dashboard';
import {
  BigValueColorMode,
  BigValueGraphMode,
  BigValueTextMode,
  LegendDisplayMode,
  LegendPlacement,
  ReduceDataOptionsBuilder,
  SortOrder,
  TooltipDisplayMode,
  VizLegendOptionsBuilder,
  VizTooltipOptionsBuilder,
} from '@grafana/grafana-foundation-sdk/common';
import * as gauge from '@grafana/grafana-foundation-sdk/gauge';
import * as heatmap from '@grafana/grafana-foundation-sdk/heatmap';
import { DataqueryBuilder, PromQueryFormat, QueryEditorMode } from '@grafana/grafana-foundation-sdk/prometheus';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';

/** Name of the datasource template variable every dashboard has. */
export const DATASOURCE_VARIABLE = 'datasource';

/** What every panel and every target points at: whichever Prometheus the `datasource` variable selects. */
export const DATASOURCE = { type: 'prometheus', uid: `\${${DATASOURCE_VARIABLE}}` } as const;

/** Value a multi-value variable sends for "All": matches every series, including new ones. */
const ALL_VALUE = '.*';

/** One PromQL query of a panel. refIds are assigned A, B, C… in order. */
export interface Query {
  readonly expr: string;
  /** Grafana legend template, e.g. `{{instance}}`. */
  readonly legend: string;
  /** `heatmap` turns cumulative `le` buckets into per-bucket rows. @default time_series */
  readonly format?: 'time_series' | 'heatmap';
}

interface PanelOptions {
  readonly title: string;
  /** One line; shown as the panel's (i) tooltip. */
  readonly description: string;
  /** A Grafana unit id (see `@grafana/grafana-foundation-sdk/units`). */
  readonly unit: string;
  readonly queries: readonly Query[];
  /** Grid columns out of 24. @default 12 */
  readonly width?: number;
  /** Grid rows. @default 8 */
  readonly height?: number;
  readonly min?: number;
  readonly max?: number;
  /** Colour steps; the first one's value is ignored (base). */
  readonly thresholds?: readonly Threshold[];
}

/** Builds the Prometheus targets of a panel: datasource variable, refId A, B, C…, code editor. */
function targets(queries: readonly Query[]): DataqueryBuilder[] {
  if (queries.length === 0) throw new Error('a panel needs at least one query');
  if (queries.length > 26) throw new Error('a panel holds at most 26 queries (refIds A–Z)');
  return queries.map((q, i) => {
    const target = new DataqueryBuilder()
      .refId(String.fromCharCode(65 + i))
      .datasource(DATASOURCE)
      .editorMode(QueryEditorMode.Code)
      .expr(q.expr)
      .legendFormat(q.legend)
      .range();
    if (q.format === 'heatmap') target.format(PromQueryFormat.Heatmap);
    return target;
  });
}

function thresholdsConfig(steps: readonly Threshold[]): ThresholdsConfigBuilder {
  return new ThresholdsConfigBuilder()
    .mode(ThresholdsMode.Absolute)
    .steps(steps.map((s, i) => ({ color: s.color, value: i === 0 ? null : s.value })));
}

/** Green below `warn`, orange from `warn`, red from `critical`. */
export function trafficLight(warn: number, critical: number): Threshold[] {
  return [
    { color: 'green', value: null },
    { color: 'orange', value: warn },
    { color: 'red', value: critical },
  ];
}

/** One neutral colour: for values where neither high nor low is bad. */
export const NEUTRAL: readonly Threshold[] = [{ color: 'blue', value: null }];

/** Maps an `up`-style 0/1 metric to red "Down" / green "Up". */
export const UP_DOWN_MAPPINGS: ValueMapping[] = [
  {
    type: MappingType.ValueToText,
    options: { '0': { text: 'Down', color: 'red', index: 0 }, '1': { text: 'Up', color: 'green', index: 1 } },
  },
];

/** Applies the options every panel kind shares. */
function common<B extends {
  title(t: string): B;
  description(d: string): B;
  unit(u: string): B;
  datasource(d: { type?: string; uid?: string }): B;
  withTarget(t: cog.Builder<cog.Dataquery>): B;
  span(w: number): B;
  height(h: number): B;
  min(m: number): B;
  max(m: number): B;
  thresholds(t: cog.Builder<ThresholdsConfig>): B;
}>(panel: B, o: PanelOptions, defaults: { width: number; height: number }): B {
  if (o.description.trim() === '' || o.description.includes('\n')) throw new Error(`panel "${o.title}" needs a one-line description`);
  if (o.unit.trim() === '') throw new Error(`panel "${o.title}" needs a unit`);
  panel
    .title(o.title)
    .description(o.description)
    .unit(o.unit)
    .datasource(DATASOURCE)
    .span(o.width ?? defaults.width)
    .height(o.height ?? defaults.height);
  for (const t of targets(o.queries)) panel.withTarget(t);
  if (o.min !== undefined) panel.min(o.min);
  if (o.max !== undefined) panel.max(o.max);
  if (o.thresholds) panel.thresholds(thresholdsConfig(o.thresholds));
  return panel;
}

/** A time series graph with its legend shown below (as a table with mean/max when `legendTable`). */
export function timeseriesPanel(o: PanelOptions & { readonly legendTable?: boolean; readonly axisLabel?: string }): timeseries.PanelBuilder {
  const legend = new VizLegendOptionsBuilder().showLegend(true).placement(LegendPlacement.Bottom);
  if (o.legendTable) legend.displayMode(LegendDisplayMode.Table).calcs(['mean', 'max', 'lastNotNull']).sortBy('Max').sortDesc(true);
  else legend.displayMode(LegendDisplayMode.List).calcs([]);
  const panel = common(new timeseries.PanelBuilder(), o, { width: 12, height: 8 })
    .legend(legend)
    .tooltip(new VizTooltipOptionsBuilder().mode(TooltipDisplayMode.Multi).sort(SortOrder.Descending))
    .fillOpacity(10)
    .lineWidth(1);
  if (o.axisLabel) panel.axisLabel(o.axisLabel);
  return panel;
}

/** A single big number (last non-null value) with a sparkline. */
export function statPanel(o: PanelOptions & { readonly mappings?: ValueMapping[] }): stat.PanelBuilder {
  const panel = common(new stat.PanelBuilder(), o, { width: 6, height: 4 })
    .reduceOptions(new ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
    .graphMode(o.mappings ? BigValueGraphMode.None : BigValueGraphMode.Area)
    .colorMode(o.mappings ? BigValueColorMode.Background : BigValueColorMode.Value)
    .textMode(BigValueTextMode.Auto);
  if (o.mappings) panel.mappings(o.mappings);
  return panel;
}

/** A gauge of the last non-null value between `min` and `max`. */
export function gaugePanel(o: PanelOptions & { readonly min: number; readonly max: number }): gauge.PanelBuilder {
  return common(new gauge.PanelBuilder(), o, { width: 8, height: 6 })
    .reduceOptions(new ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
    .showThresholdMarkers(true)
    .showThresholdLabels(false);
}

/**
 * A heatmap of pre-bucketed Prometheus histogram data (`format: heatmap`, legend `{{le}}`): cells are
 * `unit` (e.g. requests/s), the y axis is `yUnit` (the bucket bounds, e.g. seconds).
 */
export function heatmapPanel(o: PanelOptions & { readonly yUnit: string }): heatmap.PanelBuilder {
  return common(new heatmap.PanelBuilder(), o, { width: 12, height: 8 })
    .calculate(false)
    .yAxis(new heatmap.YAxisConfigBuilder().unit(o.yUnit))
    .cellValues(new heatmap.CellValuesBuilder().unit(o.unit))
    .showLegend()
    .tooltip(new heatmap.HeatmapTooltipBuilder().mode(TooltipDisplayMode.Single).yHistogram(true).showColorScale(true));
}

/** A row whose panels are nested in it. Grafana keeps nested panels only in a collapsed row. */
export function collapsedRow(title: string, panels: readonly cog.Builder<Panel>[]): RowBuilder {
  const row = new RowBuilder(title);
  for (const p of panels) row.withPanel(p);
  return row.collapsed(true);
}

/** The `datasource` variable: any Prometheus datasource, the default one preselected by Grafana. */
function datasourceVariable(): DatasourceVariableBuilder {
  return new DatasourceVariableBuilder(DATASOURCE_VARIABLE).label('Data source').type('prometheus');
}

/**
 * A variable filled from `label_values(<selector>, <label>)`, refreshed on time range change, sorted.
 * Multi-value variables offer "All" (sent as `.*`), so use them as `label=~"$name"`.
 */
export function queryVariable(name: string, label: string, query: string, options: { readonly multi: boolean }): QueryVariableBuilder {
  const v = new QueryVariableBuilder(name)
    .label(label)
    .datasource(DATASOURCE)
    .query(query)
    .definition(query)
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .sort(VariableSort.AlphabeticalAsc)
    .multi(options.multi)
    .includeAll(options.multi);
  if (options.multi) v.allValue(ALL_VALUE).current({ selected: true, text: ['All'], value: ['$__all'] });
  return v;
}

/** Grafana's own "Annotations & Alerts" entry, which Grafana adds to every dashboard it saves. */
function builtInAnnotations(): AnnotationQueryBuilder {
  return new AnnotationQueryBuilder()
    .name('Annotations & Alerts')
    .type('dashboard')
    .builtIn(1)
    .datasource({ type: 'grafana', uid: '-- Grafana --' })
    .enable(true)
    .hide(true)
    .iconColor('rgba(0, 211, 255, 1)');
}

/**
 * The skeleton every Nanoe dashboard shares: fixed uid, tag `nanoe`, 30 s refresh, last 6 hours,
 * shared crosshair, the `datasource` variable first and then `variables`.
 */
export function nanoeDashboard(o: {
  readonly uid: string;
  readonly title: string;
  readonly description: string;
  readonly variables: readonly cog.Builder<VariableModel>[];
}): DashboardBuilder {
  const d = new DashboardBuilder(o.title)
    .uid(o.uid)
    .description(o.description)
    .tags(['nanoe'])
    .refresh('30s')
    .time({ from: 'now-6h', to: 'now' })
    .timezone('browser')
    .tooltip(DashboardCursorSync.Crosshair)
    .annotation(builtInAnnotations())
    .withVariable(datasourceVariable());
  for (const v of o.variables) d.withVariable(v);
  return d;
}

/** Builds the dashboard and numbers its panels 1, 2, 3… in order (rows and their nested panels too). */
export function finish(builder: DashboardBuilder): Dashboard {
  const dashboard = builder.build();
  let id = 1;
  for (const panel of dashboard.panels ?? []) {
    panel.id = id++;
    if (panel.type === 'row' && 'panels' in panel) for (const nested of panel.panels) nested.id = id++;
  }
  return dashboard;
}
