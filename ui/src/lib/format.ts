import type { Json } from '../api/types.js';

const numberFormat = new Intl.NumberFormat('en-US');

export function formatCount(value: number | null | undefined): string {
  return value === null || value === undefined ? '–' : numberFormat.format(value);
}

const scoreFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 3 });

/** A score or mean: up to 3 decimals, trailing zeros dropped, thousands separated ("42,283.5"). */
export function formatScore(value: number | null | undefined): string {
  if (value === null || value === undefined) return '–';
  return scoreFormat.format(value);
}

/** A p-value as a test reports it: "p = 0.042", or "p < 0.001" below that. */
export function formatPValue(p: number): string {
  return p < 0.001 ? 'p < 0.001' : `p = ${formatScore(p)}`;
}

/**
 * A mean and its standard deviation to the same number of decimals, so neither loses the digits the
 * other shows ("0.8 ±0.45" reads as "0.80 ±0.45"); at most 3.
 */
export function formatMeanStdev(mean: number, stdev: number | null | undefined): string {
  if (stdev === null || stdev === undefined) return formatScore(mean);
  const decimals = Math.max(decimalsOf(mean), decimalsOf(stdev));
  const fixed = new Intl.NumberFormat('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
  return `${fixed.format(mean)} ±${fixed.format(stdev)}`;
}

function decimalsOf(value: number): number {
  const text = Number(value.toFixed(3)).toString();
  const point = text.indexOf('.');
  return point === -1 ? 0 : text.length - point - 1;
}

export function formatSigned(value: number | null | undefined): string {
  if (value === null || value === undefined) return '–';
  const text = formatScore(Math.abs(value));
  return value > 0 ? `+${text}` : value < 0 ? `−${text}` : '±0';
}

export function formatPercent(share: number | null | undefined): string {
  if (share === null || share === undefined) return '–';
  return `${Number((share * 100).toFixed(1))}%`;
}

export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '–';
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${Number((ms / 1_000).toFixed(2))} s`;
  return `${Number((ms / 60_000).toFixed(1))} min`;
}

/** Dollars from the API's exact decimal strings, to enough places to tell small costs apart. */
export function formatCost(cost: string | null | undefined): string {
  if (cost === null || cost === undefined) return '–';
  const value = Number(cost);
  if (value === 0) return '$0';
  if (Math.abs(value) >= 1) return `$${value.toFixed(2)}`;
  return `$${Number(value.toPrecision(3))}`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GB`;
}

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '–';
  return new Date(iso).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' });
}

/** "3 minutes ago", for lists; the exact time goes in a title. */
export function formatAgo(iso: string, now = Date.now()): string {
  const seconds = Math.round((now - new Date(iso).getTime()) / 1000);
  const units: [Intl.RelativeTimeFormatUnit, number][] = [
    ['year', 365 * 24 * 3600],
    ['month', 30 * 24 * 3600],
    ['day', 24 * 3600],
    ['hour', 3600],
    ['minute', 60],
  ];
  const format = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
  for (const [unit, size] of units) if (Math.abs(seconds) >= size) return format.format(-Math.round(seconds / size), unit);
  return 'just now';
}

/** A value as text to read or diff: strings as they are, anything else as indented JSON. */
export function displayText(value: Json | undefined): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : JSON.stringify(value, null, 2);
}

/** A value on one line, cut to `max` characters, for table cells. */
export function preview(value: Json | undefined, max = 160): string {
  if (value === undefined || value === null) return '';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export function shortId(id: string): string {
  return id.slice(0, 8);
}
