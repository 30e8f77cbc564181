import { html, type SafeHtml } from './html';

export interface BarSeries {
  label: string;
  color: string;
  /** One value per day (same order as the days). */
  values: number[];
}

const HEIGHT = 140;
const BAR = 22;
const GAP = 16;
const PAD_LEFT = 34;
const PAD_BOTTOM = 20;

/**
 * A server-rendered bar chart over days (stacked when there are several series), as inline SVG:
 * no script, no outside request. `format` writes the axis maximum.
 */
export function barChart(
  title: string,
  days: readonly string[],
  series: readonly BarSeries[],
  format: (n: number) => string = String,
  /** A fixed axis maximum (rates: 1); the largest bar otherwise. */
  fixedMax?: number,
): SafeHtml {
  const totals = days.map((_, i) => series.reduce((sum, s) => sum + (s.values[i] ?? 0), 0));
  const max = fixedMax ?? (Math.max(0, ...totals) || 1);
  const width = PAD_LEFT + Math.max(1, days.length) * (BAR + GAP) + GAP;
  const scale = (v: number) => (v / max) * (HEIGHT - PAD_BOTTOM - 10);
  const bars = days.map((day, i) => {
    const x = PAD_LEFT + GAP + i * (BAR + GAP);
    let y = HEIGHT - PAD_BOTTOM;
    // Zero values draw nothing (no empty rect to hover).
    const rects = series.flatMap((s) => {
      if (!s.values[i]) return [];
      const h = scale(s.values[i]);
      y -= h;
      return html`<rect
        class="bar"
        x="${x}"
        y="${y.toFixed(1)}"
        width="${BAR}"
        height="${h.toFixed(1)}"
        fill="${s.color}"
        ><title>${day} ${s.label}: ${format(s.values[i])}</title></rect
      >`;
    });
    return html`${rects}<text x="${x + BAR / 2}" y="${HEIGHT - 6}" text-anchor="middle">${day.slice(5)}</text>`;
  });
  const legend =
    series.length > 1
      ? html`<div class="legend">
          ${series.map((s) => html`<span><i class="sw" style="background:${s.color}"></i>${s.label}</span>`)}
        </div>`
      : '';
  return html`<figure>
    <figcaption>${title}</figcaption>
    <svg role="img" aria-label="${title}" width="${width}" height="${HEIGHT}" viewBox="0 0 ${width} ${HEIGHT}">
      <line x1="${PAD_LEFT}" y1="${HEIGHT - PAD_BOTTOM}" x2="${width}" y2="${HEIGHT - PAD_BOTTOM}" stroke="#9aa3b2" />
      <text x="${PAD_LEFT - 4}" y="14" text-anchor="end">${format(max)}</text>
      <text x="${PAD_LEFT - 4}" y="${HEIGHT - PAD_BOTTOM}" text-anchor="end">0</text>
      ${bars}</svg
    >${legend}
  </figure>`;
}
