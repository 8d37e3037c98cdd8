/**
 * A dependency-free SVG line chart for bench/throughput.ts: one panel per file count, file size on
 * the x axis (evenly spaced categories), throughput on the y axis, one line per tool.
 */

/** One panel: a title and, per tool, a value for each x category (NaN when not measured). */
export interface Panel {
  title: string;
  values: Record<string, number[]>;
}

export interface ChartSpec {
  title: string;
  yLabel: string;
  xLabels: string[];
  panels: Panel[];
}

const COLOURS = ['#d62728', '#1f77b4', '#2ca02c', '#9467bd', '#ff7f0e'];
const PANEL_W = 300;
const PANEL_H = 220;
const MARGIN = { left: 56, top: 56, gap: 40, bottom: 70 };

/** The chart as SVG text. */
export function lineChartSvg(spec: ChartSpec): string {
  const tools = [...new Set(spec.panels.flatMap((p) => Object.keys(p.values)))];
  const yMax = niceMax(Math.max(1, ...spec.panels.flatMap((p) => Object.values(p.values).flat().filter(Number.isFinite))));
  const width = MARGIN.left + spec.panels.length * (PANEL_W + MARGIN.gap);
  const height = MARGIN.top + PANEL_H + MARGIN.bottom;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${MARGIN.left}" y="22" font-size="15" font-weight="bold">${escape(spec.title)}</text>`,
    `<text transform="translate(14 ${MARGIN.top + PANEL_H / 2}) rotate(-90)" text-anchor="middle">${escape(spec.yLabel)}</text>`,
    ...spec.panels.map((panel, i) => panelSvg(panel, MARGIN.left + i * (PANEL_W + MARGIN.gap), spec.xLabels, tools, yMax)),
    legendSvg(tools, MARGIN.left, height - 18),
    '</svg>',
  ];
  return `${parts.join('\n')}\n`;
}

function panelSvg(panel: Panel, x0: number, xLabels: string[], tools: string[], yMax: number): string {
  const y0 = MARGIN.top;
  const xAt = (i: number): number => x0 + ((i + 0.5) * PANEL_W) / xLabels.length;
  const yAt = (v: number): number => y0 + PANEL_H - (v / yMax) * PANEL_H;
  const out = [`<text x="${x0 + PANEL_W / 2}" y="${y0 - 10}" text-anchor="middle" font-weight="bold">${escape(panel.title)}</text>`];
  out.push(`<rect x="${x0}" y="${y0}" width="${PANEL_W}" height="${PANEL_H}" fill="none" stroke="#999"/>`);
  for (let k = 0; k <= 4; k++) {
    const v = (yMax * k) / 4;
    out.push(`<line x1="${x0}" x2="${x0 + PANEL_W}" y1="${yAt(v)}" y2="${yAt(v)}" stroke="#eee"/>`);
    out.push(`<text x="${x0 - 4}" y="${yAt(v) + 4}" text-anchor="end" fill="#555">${round(v)}</text>`);
  }
  xLabels.forEach((label, i) => out.push(`<text x="${xAt(i)}" y="${y0 + PANEL_H + 16}" text-anchor="middle">${escape(label)}</text>`));
  tools.forEach((tool, t) => {
    const colour = COLOURS[t % COLOURS.length] ?? '#000';
    const points = (panel.values[tool] ?? []).map((v, i) => ({ x: xAt(i), y: yAt(v), ok: Number.isFinite(v) })).filter((p) => p.ok);
    if (points.length > 1) out.push(`<polyline fill="none" stroke="${colour}" stroke-width="2" points="${points.map((p) => `${p.x},${p.y}`).join(' ')}"/>`);
    for (const p of points) out.push(`<circle cx="${p.x}" cy="${p.y}" r="3.5" fill="${colour}"/>`);
  });
  return out.join('\n');
}

function legendSvg(tools: string[], x0: number, y: number): string {
  return tools
    .map((tool, t) => {
      const x = x0 + t * 130;
      const colour = COLOURS[t % COLOURS.length] ?? '#000';
      return `<rect x="${x}" y="${y - 10}" width="14" height="4" fill="${colour}"/><text x="${x + 20}" y="${y - 4}">${escape(tool)}</text>`;
    })
    .join('\n');
}

/** The smallest 1, 2 or 5 × 10^k at or above `v`, so gridlines land on round numbers. */
function niceMax(v: number): number {
  const power = 10 ** Math.floor(Math.log10(v));
  return ([1, 2, 5, 10].map((m) => m * power).find((m) => m >= v) ?? v);
}

function round(v: number): string {
  return v >= 10 || v === 0 ? String(Math.round(v)) : v.toFixed(1);
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
