/**
 * The benchmark set's chart: SVG written here, rendered to PNG by resvg (@resvg/resvg-js, a
 * maintained Rust renderer with prebuilt binaries: no browser, no native build). Two panels:
 * each figure against its peer (reads: ours vs @neo4j/graphql) or its target, as a share; and the
 * soak's latency and memory per minute.
 */
import { Resvg } from '@resvg/resvg-js';
import type { BenchResult, Figure } from './result.js';

const WIDTH = 1000;
const FONT = 'DejaVu Sans, Liberation Sans, Arial, sans-serif';

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function text(x: number, y: number, content: string, options: { size?: number; anchor?: string; weight?: string; fill?: string } = {}): string {
  return `<text x="${x}" y="${y}" font-family="${FONT}" font-size="${options.size ?? 12}" text-anchor="${options.anchor ?? 'start'}" font-weight="${options.weight ?? 'normal'}" fill="${options.fill ?? '#222'}">${escape(content)}</text>`;
}

/** A figure as a share of what it is compared with (the peer, else the target): 1.0 = equal. */
function share(figure: Figure): { share: number; against: string } | null {
  if (figure.peer !== undefined && figure.peer > 0) return { share: figure.value / figure.peer, against: 'peer' };
  if (!figure.target) return null;
  const { value, higherIsBetter } = figure.target;
  if (higherIsBetter) return value > 0 ? { share: figure.value / value, against: 'target' } : null;
  // Lower is better: at or under the target is 1.0 or more.
  return { share: figure.value <= 0 ? (value <= 0 ? 1 : 2) : value / figure.value, against: 'target' };
}

function comparisonPanel(results: BenchResult[], top: number): { svg: string; height: number } {
  const rows = results.flatMap((r) => r.figures.map((f) => ({ bench: r.bench, figure: f, compared: share(f) }))).filter((r) => r.compared);
  const rowHeight = 24;
  const left = 360;
  const barWidth = WIDTH - left - 300;
  const scale = (s: number) => Math.min(2, s) / 2; // the bar's full width is 2x
  const parts = [text(20, top + 20, 'Each figure against the peer (reads) or its target: 1.0x = equal, right of the line is better', { size: 15, weight: 'bold' })];
  const x1 = left + barWidth * scale(1);
  rows.forEach((row, i) => {
    const y = top + 40 + i * rowHeight;
    const { share: s, against } = row.compared!;
    const good = s >= 1;
    parts.push(text(left - 10, y + 15, `${row.bench}: ${row.figure.name}`, { anchor: 'end' }));
    parts.push(`<rect x="${left}" y="${y + 3}" width="${Math.max(1, barWidth * scale(s))}" height="${rowHeight - 8}" fill="${good ? '#2e7d32' : '#c62828'}"/>`);
    const label = `${s.toFixed(2)}x ${against} (${formatValue(row.figure.value)} ${row.figure.unit}${row.figure.peer !== undefined ? ` vs ${formatValue(row.figure.peer)}` : row.figure.target ? ` vs ${formatValue(row.figure.target.value)}` : ''})`;
    parts.push(text(left + barWidth * scale(s) + 6, y + 15, label, { size: 11 }));
  });
  const bottom = top + 40 + rows.length * rowHeight;
  parts.push(`<line x1="${x1}" y1="${top + 34}" x2="${x1}" y2="${bottom}" stroke="#555" stroke-dasharray="4 3"/>`);
  parts.push(text(x1, bottom + 14, '1.0x', { anchor: 'middle', size: 11 }));
  return { svg: parts.join('\n'), height: bottom - top + 30 };
}

interface Minute {
  minute: number;
  p50: number;
  p99: number;
  rssMiB: number;
  oldGenMiB: number;
}

function soakPanel(result: BenchResult | undefined, top: number): { svg: string; height: number } {
  const minutes = (result?.detail?.minutes as Minute[] | undefined) ?? [];
  if (minutes.length === 0) return { svg: '', height: 0 };
  const height = 260;
  const left = 70;
  const right = WIDTH - 70;
  const plotTop = top + 56;
  const plotBottom = top + height - 30;
  const x = (m: number) => left + ((m - 1) / Math.max(1, minutes.length - 1)) * (right - left);
  const maxLatency = Math.max(1, ...minutes.map((m) => m.p99).filter(Number.isFinite));
  const maxMemory = Math.max(1, ...minutes.flatMap((m) => [m.rssMiB, m.oldGenMiB]).filter(Number.isFinite));
  const yLatency = (v: number) => plotBottom - (v / maxLatency) * (plotBottom - plotTop);
  const yMemory = (v: number) => plotBottom - (v / maxMemory) * (plotBottom - plotTop);
  const line = (pick: (m: Minute) => number, y: (v: number) => number, color: string, dash = '') =>
    `<polyline fill="none" stroke="${color}" stroke-width="2" ${dash ? `stroke-dasharray="${dash}"` : ''} points="${minutes
      .filter((m) => Number.isFinite(pick(m)))
      .map((m) => `${x(m.minute).toFixed(1)},${y(pick(m)).toFixed(1)}`)
      .join(' ')}"/>`;
  const parts = [
    text(20, top + 20, 'Soak: latency (left axis, ms) and memory (right axis, MiB) per minute', { size: 15, weight: 'bold' }),
    `<line x1="${left}" y1="${plotBottom}" x2="${right}" y2="${plotBottom}" stroke="#999"/>`,
    text(left - 6, plotTop + 4, `${maxLatency.toFixed(0)} ms`, { anchor: 'end', size: 11 }),
    text(right + 6, plotTop + 4, `${maxMemory.toFixed(0)} MiB`, { size: 11 }),
    text(left - 6, plotBottom, '0', { anchor: 'end', size: 11 }),
    line((m) => m.p50, yLatency, '#1565c0'),
    line((m) => m.p99, yLatency, '#ef6c00'),
    line((m) => m.rssMiB, yMemory, '#2e7d32', '6 3'),
    line((m) => m.oldGenMiB, yMemory, '#6a1b9a', '6 3'),
    ...minutes.map((m) => text(x(m.minute), plotBottom + 14, String(m.minute), { anchor: 'middle', size: 10 })),
    text((left + right) / 2, plotBottom + 28, 'minute', { anchor: 'middle', size: 11 }),
  ];
  const legend = [
    ['#1565c0', 'p50 latency'],
    ['#ef6c00', 'p99 latency'],
    ['#2e7d32', 'API resident memory'],
    ['#6a1b9a', 'Neo4j old generation after GC'],
  ];
  legend.forEach(([color, label], i) => {
    const lx = left + 20 + i * 200;
    parts.push(`<rect x="${lx}" y="${top + 34}" width="14" height="4" fill="${color}"/>`, text(lx + 20, top + 40, label!, { size: 11 }));
  });
  return { svg: parts.join('\n'), height: height + 20 };
}

export function formatValue(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  return Math.abs(value) >= 100 ? Math.round(value).toLocaleString('en-US') : value.toFixed(Math.abs(value) >= 10 ? 1 : 2);
}

export function renderChart(title: string, results: BenchResult[]): { svg: string; png: Buffer } {
  const comparison = comparisonPanel(results, 40);
  const soak = soakPanel(
    results.find((r) => r.bench === 'soak'),
    40 + comparison.height,
  );
  const height = 40 + comparison.height + soak.height + 10;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}">
<rect width="100%" height="100%" fill="#fff"/>
${text(20, 26, title, { size: 17, weight: 'bold' })}
${comparison.svg}
${soak.svg}
</svg>`;
  const png = new Resvg(svg, { font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' }, fitTo: { mode: 'width', value: WIDTH } }).render().asPng();
  return { svg, png };
}
