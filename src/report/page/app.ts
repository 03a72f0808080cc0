/// <reference lib="dom" />
/**
 * The /report page's script, bundled with Chart.js into the page at build
 * time (scripts/build-report-page.mjs): no CDN, so the page works offline and
 * under a strict Content-Security-Policy. The server renders the report data
 * into the page as JSON; changing the range or the model reloads the page
 * with new query parameters, so the browser's credentials go with it.
 */
import type { Report } from '../report';
import { renderConversions } from './conversion-charts';
import { chart, color, el, format, modelLabel, place, sortableTable } from './dom';

/** The range form and model picker, filled with the report's query. */
function renderControls(report: Report): void {
  const form = document.getElementById('range');
  const model = document.getElementById('model');
  if (form instanceof HTMLFormElement && model instanceof HTMLSelectElement) {
    (form.elements.namedItem('since') as HTMLInputElement).value = report.since;
    (form.elements.namedItem('until') as HTMLInputElement).value = report.until;
    model.replaceChildren(
      ...report.models.map((m) => el('option', { value: m, ...(m === report.model ? { selected: '' } : {}) }, modelLabel(m))),
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
      ['users', `Users identified (${modelLabel(report.model)})`, report.totals.users],
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
          label: `Users (${modelLabel(report.model)})`,
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
  renderConversions(report);
  document.body.dataset.ready = 'true';
}

const data = document.getElementById('report-data')?.textContent;
if (data) render(JSON.parse(data) as Report);
