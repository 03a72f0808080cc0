/// <reference lib="dom" />
/**
 * The conversions part of the /report page: totals, a chart of conversions by
 * channel under each model (small multiples on one scale, so the models
 * compare at a glance), conversions per day, the tables by channel, source
 * and campaign with one value column per currency (never summed across
 * currencies), each channel's share under every model, and the two
 * distributions. Canvases are made only when the range has conversions;
 * otherwise a hint says how to count them.
 */
import type { Bucket, ConversionsReport } from '../conversions';
import type { Report } from '../report';
import { chart, color, el, format, formatMoney, modelLabel, place, sortableTable, type Column } from './dom';

const percent = (n: number): string => `${format(n)}%`;

/** A chart box with its canvas, for a chart that exists only when there is something to draw. */
function chartBox(id: string, label: string, extraClass = ''): { box: HTMLDivElement; canvas: HTMLCanvasElement } {
  const canvas = el('canvas', { id, role: 'img', 'aria-label': `${label}; the table below has the same numbers` });
  const box = el('div', { class: `chart ${extraClass}`.trim() });
  box.append(canvas);
  return { box, canvas };
}

/** The value columns of a table: one per currency. */
function valueColumns(currencies: readonly string[]): Column[] {
  return currencies.map((currency) => ({ key: `value ${currency}`, label: `Value ${currency}`, numeric: true, show: formatMoney }));
}

/** A row with its value spread over the currency columns (0 where it has none). */
function withValues<R extends { count: number; value: Record<string, number> }>(
  row: R,
  currencies: readonly string[],
): Record<string, string | number> {
  const { value, ...rest } = row;
  return { ...rest, ...Object.fromEntries(currencies.map((currency) => [`value ${currency}`, value[currency] ?? 0])) };
}

function renderConversionTotals(report: Report): void {
  const c = report.conversions;
  const boxes: [string, string, string][] = [
    ['conversions', `Conversions (${modelLabel(report.model)})`, format(c.total.count)],
    ...c.currencies.map((currency): [string, string, string] => [
      `value-${currency}`,
      `Value ${currency}`,
      formatMoney(c.total.value[currency] ?? 0),
    ]),
    ['untouched', 'With no touch before (credited to Direct)', format(c.untouched)],
  ];
  document.getElementById('conversion-totals')?.replaceChildren(
    ...boxes.map(([id, label, value]) => {
      const box = el('div', { class: 'total' });
      box.append(el('span', { class: 'label' }, label), el('strong', { 'data-testid': `total-${id}` }, value));
      return box;
    }),
  );
}

/** One chart per model, channels in one colour each across every chart, on a common scale. */
function renderModelCharts(c: ConversionsReport, channelColor: (channel: string) => string): void {
  const max = Math.max(0, ...c.byModel.flatMap((m) => m.byChannel.map((r) => r.count)));
  const charts = c.byModel.map((m) => {
    const { box, canvas } = chartBox(
      `conversions-${m.model}-chart`,
      `Bars of conversions by channel under ${modelLabel(m.model)}`,
      'small',
    );
    const figure = el('figure', { class: 'model-chart', 'data-model': m.model });
    figure.append(el('figcaption', {}, `${modelLabel(m.model)}: ${format(m.total.count)} conversions`), box);
    return { m, figure, canvas };
  });
  // Drawn once in the document, so each chart can size itself to its box.
  document.getElementById('conversion-models')?.replaceChildren(...charts.map((x) => x.figure));
  for (const { m, canvas } of charts) {
    chart(canvas, {
      type: 'bar',
      data: {
        labels: m.byChannel.map((r) => r.channel),
        datasets: [
          {
            label: `Conversions (${modelLabel(m.model)})`,
            data: m.byChannel.map((r) => r.count),
            backgroundColor: m.byChannel.map((r) => channelColor(r.channel)),
          },
        ],
      },
      options: { indexAxis: 'y', plugins: { legend: { display: false } }, scales: { x: { beginAtZero: true, suggestedMax: max } } },
    });
  }
}

function renderPerDay(report: Report, channelColor: (channel: string) => string): void {
  const label = `Stacked bars of conversions per day by channel under ${modelLabel(report.model)}`;
  const { box, canvas } = chartBox('conversions-per-day-chart', label);
  document.getElementById('conversions-per-day')?.replaceChildren(box);
  chart(canvas, {
    type: 'bar',
    data: {
      labels: report.days,
      datasets: report.conversions.byDay.map((s) => ({ label: s.channel, data: s.counts, backgroundColor: channelColor(s.channel) })),
    },
    options: { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } } },
  });
}

/** Conversions and value by channel, source and campaign under the chosen model. */
function renderConversionTables(report: Report): void {
  const c = report.conversions;
  const values = valueColumns(c.currencies);
  const count: Column = { key: 'count', label: 'Conversions', numeric: true };
  const model = modelLabel(report.model);
  const name = (key: string, label: string): Column => ({ key, label, numeric: false });
  const tables: { id: string; by: string; names: Column[]; rows: { count: number; value: Record<string, number> }[] }[] = [
    { id: 'conversions-by-channel', by: 'channel', names: [name('channel', 'Channel')], rows: c.byChannel },
    { id: 'conversions-by-source', by: 'source', names: [name('source', 'Source')], rows: c.bySource },
    { id: 'conversions-by-campaign', by: 'campaign', names: [name('campaign', 'Campaign'), name('source', 'Source')], rows: c.byCampaign },
  ];
  for (const { id, by, names, rows } of tables) {
    const caption = `Conversions and value by ${by} (${model})`;
    place(
      `${id}-table`,
      sortableTable(
        id,
        caption,
        [...names, count, ...values],
        rows.map((r) => withValues(r, c.currencies)),
      ),
    );
  }
}

/** Each channel's share of conversions under every model, side by side: where the models disagree. */
function renderComparison(report: Report): void {
  const rows = report.conversions.comparison;
  const { box, canvas } = chartBox('model-comparison-chart', 'Bars of each channel’s share of conversions under each model');
  document.getElementById('model-comparison')?.replaceChildren(box);
  chart(canvas, {
    type: 'bar',
    data: {
      labels: rows.map((r) => r.channel),
      datasets: report.models.map((m, i) => ({ label: modelLabel(m), data: rows.map((r) => r.share[m]), backgroundColor: color(i) })),
    },
    options: { scales: { y: { beginAtZero: true, max: 100, ticks: { callback: (v) => `${v}%` } } } },
  });
  place(
    'model-comparison-table',
    sortableTable(
      'conversion-share-by-model',
      'Share of conversions by channel under each model',
      [
        { key: 'channel', label: 'Channel', numeric: false },
        ...report.models.map((m) => ({ key: m, label: modelLabel(m), numeric: true, show: percent })),
      ],
      rows.map((r) => ({ channel: r.channel, ...r.share })),
    ),
  );
}

function renderDistributions(c: ConversionsReport): void {
  const distributions: [string, string, string, Bucket[]][] = [
    ['days-to-convert', 'Days from first touch to conversion', 'Days', c.daysToConvert],
    ['touches-per-conversion', 'Touches per conversion', 'Touches', c.touchesPerConversion],
  ];
  for (const [id, title, unit, buckets] of distributions) {
    const { box, canvas } = chartBox(`${id}-chart`, `Bars of conversions by ${unit.toLowerCase()} (${title.toLowerCase()})`);
    document.getElementById(id)?.replaceChildren(box);
    chart(canvas, {
      type: 'bar',
      data: {
        labels: buckets.map((b) => b.bucket),
        datasets: [{ label: 'Conversions', data: buckets.map((b) => b.conversions), backgroundColor: color(2) }],
      },
      options: {
        plugins: { legend: { display: false } },
        scales: {
          x: { title: { display: true, text: unit } },
          y: { beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: 'Conversions' } },
        },
      },
    });
    const columns: Column[] = [
      { key: 'bucket', label: unit, numeric: false },
      { key: 'conversions', label: 'Conversions', numeric: true },
    ];
    // Buckets keep their order until a header is pressed: a distribution sorted by size reads as nonsense.
    place(`${id}-table`, sortableTable(`${id}-buckets`, title, columns, buckets, { keepOrder: true }));
  }
}

/** The conversions section: the charts and tables, or the hint when the range has none. */
export function renderConversions(report: Report): void {
  const c = report.conversions;
  const none = c.byModel.length === 0;
  const hint = document.getElementById('conversions-hint');
  const body = document.getElementById('conversions-body');
  if (hint) hint.hidden = !none;
  if (body) body.hidden = none;
  if (none) return;
  const channels = c.comparison.map((r) => r.channel);
  const channelColor = (channel: string): string => color(Math.max(0, channels.indexOf(channel)));
  renderConversionTotals(report);
  renderModelCharts(c, channelColor);
  renderPerDay(report, channelColor);
  renderConversionTables(report);
  renderComparison(report);
  renderDistributions(c);
}
