/// <reference lib="dom" />
/**
 * The /report page's script, bundled with Chart.js into the page at build
 * time (scripts/build-report-page.mjs): no CDN, so the page works offline and
 * under a strict Content-Security-Policy. The server renders the report data
 * into the page as JSON; changing the range or the model reloads the page
 * with new query parameters, so the browser's credentials go with it.
 */
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip } from 'chart.js';
import type { Report } from '../report';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip);

/** Okabe–Ito: distinguishable with the common colour-vision deficiencies. */
const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#CC79A7', '#56B4E9', '#F0E442', '#000000', '#999999'];
const color = (i: number): string => PALETTE[i % PALETTE.length] ?? '#999999';

const MODEL_LABELS: Record<string, string> = {
  first_touch: 'First touch',
  last_touch: 'Last touch',
  linear: 'Linear',
  time_decay: 'Time decay',
  position_based: 'Position based',
};

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

const format = (n: number): string => n.toLocaleString('en-US', { maximumFractionDigits: 2 });

/** A table whose columns sort when their header button is pressed. */
function sortableTable(
  id: string,
  caption: string,
  columns: { key: string; label: string; numeric: boolean }[],
  rows: Record<string, string | number>[],
): HTMLTableElement {
  const table = el('table', { id, 'data-testid': id });
  table.append(el('caption', {}, caption));
  const head = el('thead');
  const headRow = el('tr');
  const body = el('tbody');
  let sortKey = columns.find((c) => c.numeric)?.key ?? columns[0]?.key ?? '';
  let descending = true;
  const render = (): void => {
    const sorted = [...rows].sort((a, b) => {
      const x = a[sortKey] ?? '';
      const y = b[sortKey] ?? '';
      const order = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
      return descending ? -order : order;
    });
    body.replaceChildren(
      ...sorted.map((row) => {
        const tr = el('tr');
        for (const c of columns) {
          const value = row[c.key] ?? '';
          tr.append(
            el(
              c.key === columns[0]?.key ? 'th' : 'td',
              { 'data-column': c.key, ...(c.key === columns[0]?.key ? { scope: 'row' } : {}) },
              typeof value === 'number' ? format(value) : value,
            ),
          );
        }
        return tr;
      }),
    );
    for (const th of headRow.querySelectorAll('th')) {
      th.setAttribute('aria-sort', th.dataset.column === sortKey ? (descending ? 'descending' : 'ascending') : 'none');
    }
  };
  for (const c of columns) {
    const th = el('th', { scope: 'col', 'data-column': c.key });
    const button = el('button', { type: 'button' }, c.label);
    button.addEventListener('click', () => {
      descending = sortKey === c.key ? !descending : c.numeric;
      sortKey = c.key;
      render();
    });
    th.append(button);
    headRow.append(th);
  }
  head.append(headRow);
  table.append(head, body);
  render();
  return table;
}

function chart(canvasId: string, config: ConstructorParameters<typeof Chart>[1]): void {
  const canvas = document.getElementById(canvasId);
  if (canvas instanceof HTMLCanvasElement)
    new Chart(canvas, { ...config, options: { animation: false, responsive: true, maintainAspectRatio: false, ...config.options } });
}

/** The range form and model picker, filled with the report's query. */
function renderControls(report: Report): void {
  const form = document.getElementById('range');
  const model = document.getElementById('model');
  if (form instanceof HTMLFormElement && model instanceof HTMLSelectElement) {
    (form.elements.namedItem('since') as HTMLInputElement).value = report.since;
    (form.elements.namedItem('until') as HTMLInputElement).value = report.until;
    model.replaceChildren(
      ...report.models.map((m) => el('option', { value: m, ...(m === report.model ? { selected: '' } : {}) }, MODEL_LABELS[m] ?? m)),
    );
    // A new model shows at once; dates wait for the button, as one may change both.
    model.addEventListener('change', () => form.requestSubmit());
  }
}

function renderTotals(report: Report): void {
  const totals = document.getElementById('totals');
  totals?.replaceChildren(
    ...[
      ['new-visitors', 'New visitors', report.totals.newVisitors],
      ['touches', 'Touches', report.totals.touches],
      ['users', `Users identified (${MODEL_LABELS[report.model] ?? report.model})`, report.totals.users],
    ].map(([id, label, value]) => {
      const box = el('div', { class: 'total' });
      box.append(
        el('span', { class: 'label' }, String(label)),
        el('strong', { 'data-testid': `total-${String(id)}` }, format(Number(value))),
      );
      return box;
    }),
  );
}

function renderCharts(report: Report): void {
  chart('new-visitors-chart', {
    type: 'bar',
    data: {
      labels: report.days,
      datasets: report.newVisitorsByChannel.map((s, i) => ({ label: s.channel, data: s.counts, backgroundColor: color(i) })),
    },
    options: { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } } },
  });
  chart('users-chart', {
    type: 'bar',
    data: {
      labels: report.usersByChannel.map((r) => r.channel),
      datasets: [
        {
          label: `Users (${MODEL_LABELS[report.model] ?? report.model})`,
          data: report.usersByChannel.map((r) => r.users),
          backgroundColor: color(0),
        },
      ],
    },
    options: { indexAxis: 'y', plugins: { legend: { display: false } } },
  });
  chart('first-last-chart', {
    type: 'bar',
    data: {
      labels: report.firstVsLast.map((r) => r.channel),
      datasets: [
        { label: 'First touch', data: report.firstVsLast.map((r) => r.first), backgroundColor: color(0) },
        { label: 'Last touch', data: report.firstVsLast.map((r) => r.last), backgroundColor: color(1) },
      ],
    },
  });
}

/** The tables under the charts: the same numbers, sortable, for reading and copying. */
function renderTables(report: Report): void {
  const place = (id: string, table: HTMLTableElement): void => document.getElementById(id)?.replaceChildren(table);
  place(
    'new-visitors-table',
    sortableTable(
      'new-visitors-by-channel',
      'New visitors by first-touch channel',
      [
        { key: 'channel', label: 'Channel', numeric: false },
        { key: 'total', label: 'New visitors', numeric: true },
      ],
      report.newVisitorsByChannel.map((r) => ({ channel: r.channel, total: r.total })),
    ),
  );
  place(
    'users-table',
    sortableTable(
      'users-by-channel',
      'Users identified by channel',
      [
        { key: 'channel', label: 'Channel', numeric: false },
        { key: 'users', label: 'Users', numeric: true },
      ],
      report.usersByChannel,
    ),
  );
  place(
    'first-last-table',
    sortableTable(
      'first-vs-last',
      'Users by first and by last touch channel',
      [
        { key: 'channel', label: 'Channel', numeric: false },
        { key: 'first', label: 'First touch', numeric: true },
        { key: 'last', label: 'Last touch', numeric: true },
      ],
      report.firstVsLast,
    ),
  );
  place(
    'sources-table',
    sortableTable(
      'top-sources',
      'Top sources',
      [
        { key: 'source', label: 'Source', numeric: false },
        { key: 'newVisitors', label: 'New visitors', numeric: true },
        { key: 'touches', label: 'Touches', numeric: true },
        { key: 'users', label: 'Users', numeric: true },
      ],
      report.sources,
    ),
  );
  place(
    'campaigns-table',
    sortableTable(
      'top-campaigns',
      'Top campaigns',
      [
        { key: 'campaign', label: 'Campaign', numeric: false },
        { key: 'source', label: 'Source', numeric: false },
        { key: 'newVisitors', label: 'New visitors', numeric: true },
        { key: 'touches', label: 'Touches', numeric: true },
        { key: 'users', label: 'Users', numeric: true },
      ],
      report.campaigns,
    ),
  );
}

function render(report: Report): void {
  renderControls(report);
  renderTotals(report);
  renderCharts(report);
  renderTables(report);
  document.body.dataset.ready = 'true';
}

const data = document.getElementById('report-data')?.textContent;
if (data) render(JSON.parse(data) as Report);
