/// <reference lib="dom" />
/**
 * What the /report page's parts share: elements, number formats, colours,
 * sortable tables and charts (Chart.js, registered once here).
 */
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip } from 'chart.js';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip);

/** Okabe–Ito: distinguishable with the common colour-vision deficiencies. */
const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#CC79A7', '#56B4E9', '#F0E442', '#000000', '#999999'];
export const color = (i: number): string => PALETTE[i % PALETTE.length] ?? '#999999';

export const MODEL_LABELS: Record<string, string> = {
  first_touch: 'First touch',
  last_touch: 'Last touch',
  linear: 'Linear',
  time_decay: 'Time decay',
  position_based: 'Position based',
};
export const modelLabel = (model: string): string => MODEL_LABELS[model] ?? model;

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  text?: string,
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

export const format = (n: number): string => n.toLocaleString('en-US', { maximumFractionDigits: 2 });
/** An amount of money: always two decimals. */
export const formatMoney = (n: number): string => n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

export interface Column {
  key: string;
  label: string;
  numeric: boolean;
  /** How a number shows; `format` when not given. */
  show?: (n: number) => string;
}

/**
 * A table whose columns sort when their header button is pressed; it starts
 * sorted by its first numeric column, largest first, or in the rows' own order
 * with `keepOrder`.
 */
export function sortableTable(
  id: string,
  caption: string,
  columns: Column[],
  rows: Record<string, string | number>[],
  options: { keepOrder?: boolean } = {},
): HTMLTableElement {
  const table = el('table', { id, 'data-testid': id });
  table.append(el('caption', {}, caption));
  const head = el('thead');
  const headRow = el('tr');
  const body = el('tbody');
  let sortKey: string | undefined = options.keepOrder ? undefined : (columns.find((c) => c.numeric)?.key ?? columns[0]?.key);
  let descending = true;
  const render = (): void => {
    const key = sortKey;
    const sorted = [...rows];
    if (key !== undefined)
      sorted.sort((a, b) => {
        const x = a[key] ?? '';
        const y = b[key] ?? '';
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
              typeof value === 'number' ? (c.show ?? format)(value) : value,
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

export type ChartConfig = ConstructorParameters<typeof Chart>[1];

/** Draws a chart on a canvas (or the canvas with that id), without animation, filling its box. */
export function chart(canvas: HTMLCanvasElement | string, config: ChartConfig): void {
  const target = typeof canvas === 'string' ? document.getElementById(canvas) : canvas;
  if (target instanceof HTMLCanvasElement)
    new Chart(target, { ...config, options: { animation: false, responsive: true, maintainAspectRatio: false, ...config.options } });
}

/** Puts a table in its place on the page. */
export const place = (id: string, table: HTMLTableElement): void => document.getElementById(id)?.replaceChildren(table);
