import type { ScoreStats } from '../api/types.js';
import { formatScore, preview } from '../lib/format.js';

export interface ChartSeries {
  name: string;
  color: string;
  stats: ScoreStats | undefined;
}

const WIDTH = 300;
const LABEL = 96;
const ROW = 18;
const PAD = 6;

/**
 * The distribution of one score key in each experiment, from the server's statistics: the range
 * (min to max) as a line, mean ± one standard deviation as a box, the mean as a dot. Categorical
 * values are shown as the share of each value.
 */
export function ScoreChart({ scoreKey, series }: { scoreKey: string; series: ChartSeries[] }) {
  const numeric = series.some((s) => (s.stats?.n ?? 0) > 0);
  return (
    <figure className="score-chart" data-score-key={scoreKey}>
      <figcaption>{scoreKey}</figcaption>
      {numeric ? <NumericChart series={series} /> : <CategoricalChart series={series} />}
    </figure>
  );
}

function NumericChart({ series }: { series: ChartSeries[] }) {
  const present = series.flatMap((s) => (s.stats && s.stats.n > 0 && s.stats.min !== null && s.stats.max !== null ? [s.stats] : []));
  let low = Math.min(...present.map((s) => s.min!));
  let high = Math.max(...present.map((s) => s.max!));
  // Scores between 0 and 1 are drawn on the whole of that scale, so a chart reads the same everywhere.
  if (low >= 0 && high <= 1) [low, high] = [0, 1];
  if (low === high) [low, high] = [low - 0.5, high + 0.5];
  const x = (value: number) => LABEL + ((value - low) / (high - low)) * (WIDTH - LABEL - PAD);
  const height = series.length * ROW + 16;
  return (
    <svg width={WIDTH} height={height} viewBox={`0 0 ${WIDTH} ${height}`} role="img" aria-label="Score distribution per experiment">
      {series.map((s, index) => {
        const y = index * ROW + ROW / 2;
        const stats = s.stats;
        return (
          <g key={index}>
            <text x={0} y={y + 4} className="chart-label">
              {preview(s.name, 14)}
            </text>
            <line x1={LABEL} x2={WIDTH - PAD} y1={y} y2={y} className="chart-track" />
            {stats && stats.n > 0 && stats.mean !== null && (
              <>
                <title>{`${s.name}: mean ${formatScore(stats.mean)} ± ${formatScore(stats.stdev)} (n ${stats.n}, ${formatScore(stats.min)} to ${formatScore(stats.max)})`}</title>
                <line x1={x(stats.min!)} x2={x(stats.max!)} y1={y} y2={y} stroke={s.color} strokeWidth={1.5} />
                <rect
                  x={x(Math.max(low, stats.mean - (stats.stdev ?? 0)))}
                  y={y - 5}
                  width={Math.max(1, x(Math.min(high, stats.mean + (stats.stdev ?? 0))) - x(Math.max(low, stats.mean - (stats.stdev ?? 0))))}
                  height={10}
                  fill={s.color}
                  opacity={0.25}
                />
                <circle cx={x(stats.mean)} cy={y} r={3.5} fill={s.color} />
              </>
            )}
          </g>
        );
      })}
      <text x={LABEL} y={height - 2} className="chart-axis">
        {formatScore(low)}
      </text>
      <text x={WIDTH - PAD} y={height - 2} className="chart-axis" textAnchor="end">
        {formatScore(high)}
      </text>
    </svg>
  );
}

const VALUE_COLORS = ['#2b59c3', '#c2410c', '#0f766e', '#7c3aed', '#b45309', '#be185d', '#15803d', '#57606a'];

function CategoricalChart({ series }: { series: ChartSeries[] }) {
  const values = [...new Set(series.flatMap((s) => Object.keys(s.stats?.values ?? {})))].sort();
  const colorOf = (value: string) => VALUE_COLORS[values.indexOf(value) % VALUE_COLORS.length]!;
  const height = series.length * ROW + 4;
  const trackWidth = WIDTH - LABEL - PAD;
  return (
    <>
      <svg width={WIDTH} height={height} viewBox={`0 0 ${WIDTH} ${height}`} role="img" aria-label="Categorical values per experiment">
        {series.map((s, index) => {
          const counts = s.stats?.values ?? {};
          const total = Object.values(counts).reduce((sum, n) => sum + n, 0);
          let offset = LABEL;
          const y = index * ROW + 3;
          return (
            <g key={index}>
              <text x={0} y={y + 10} className="chart-label">
                {preview(s.name, 14)}
              </text>
              {total > 0 &&
                values.map((value) => {
                  const width = ((counts[value] ?? 0) / total) * trackWidth;
                  const rect = (
                    <rect key={value} x={offset} y={y} width={width} height={12} fill={colorOf(value)}>
                      <title>{`${s.name}: ${value} ${counts[value] ?? 0} of ${total}`}</title>
                    </rect>
                  );
                  offset += width;
                  return rect;
                })}
            </g>
          );
        })}
      </svg>
      <div className="chart-legend">
        {values.slice(0, 8).map((value) => (
          <span key={value}>
            <i style={{ background: colorOf(value) }} /> {value}
          </span>
        ))}
      </div>
    </>
  );
}
