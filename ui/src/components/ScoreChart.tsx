import { useQueries } from '@tanstack/react-query';
import { listRunsPage } from '../api/endpoints.js';
import type { ScoreStats } from '../api/types.js';
import { formatCount, formatScore, preview } from '../lib/format.js';
import { type ScoreBin, histogramBins, isDiscreteRange, valueBins } from '../lib/score-bins.js';

export interface ChartSeries {
  experimentId: string;
  name: string;
  color: string;
  stats: ScoreStats | undefined;
}

const WIDTH = 320;
const PLOT_TOP = 8;
const PLOT_HEIGHT = 90;
const AXIS = 30;

/**
 * The distribution of one score key in each experiment, as bars side by side per value: categorical
 * and binary (or small integer) scores as the count of each value, other numeric scores as a
 * histogram of ten bins over the range of every experiment. Categorical counts are the server's
 * statistics; numeric ones are counted by the server too, as the runs with a score of the key in each
 * bar (the runs list's total), so nothing is read score by score.
 */
export function ScoreChart({ scoreKey, series }: { scoreKey: string; series: ChartSeries[] }) {
  const numeric = series.some((s) => (s.stats?.n ?? 0) > 0);
  const present = series.flatMap((s) => (s.stats && s.stats.n > 0 && s.stats.min !== null && s.stats.max !== null ? [s.stats] : []));
  const low = Math.min(...present.map((s) => s.min!));
  const high = Math.max(...present.map((s) => s.max!));
  const discrete = numeric && isDiscreteRange(low, high);
  const bins: ScoreBin[] = !numeric ? [] : discrete ? valueBins(low, high) : histogramBins(low, high);
  const counted = useQueries({
    queries: numeric
      ? series.flatMap((s) =>
          bins.map((bin) => ({
            queryKey: ['score-bin', s.experimentId, scoreKey, bin.min, bin.max],
            queryFn: () => listRunsPage(s.experimentId, { score_key: scoreKey, score_min: bin.min, score_max: bin.max, limit: 1 }),
            staleTime: 60_000,
          })),
        )
      : [],
  });
  const categories = numeric ? bins.map((bin) => bin.label) : [...new Set(series.flatMap((s) => Object.keys(s.stats?.values ?? {})))].sort();
  const counts = series.map((s, index) =>
    numeric ? bins.map((_, bin) => counted[index * bins.length + bin]?.data?.total) : categories.map((value) => s.stats?.values[value] ?? 0),
  );
  const kind = !numeric ? 'categorical' : discrete ? 'values' : 'histogram';
  return (
    <figure className="score-chart" data-score-key={scoreKey} data-kind={kind} data-testid="score-chart">
      <figcaption>
        {scoreKey}{' '}
        <span className="muted small">
          {kind === 'histogram' ? 'histogram of runs' : 'runs per value'}
          {numeric &&
            present.length > 0 &&
            ` · mean ${series
              .filter((s) => s.stats?.mean !== null && s.stats?.mean !== undefined)
              .map((s) => formatScore(s.stats!.mean))
              .join(' / ')}`}
        </span>
      </figcaption>
      {categories.length === 0 ? (
        <div className="muted small">No scores.</div>
      ) : (
        <Bars categories={categories} series={series} counts={counts} scoreKey={scoreKey} />
      )}
      <div className="chart-legend">
        {series.map((s) => (
          <span key={s.experimentId}>
            <i style={{ background: s.color }} /> {preview(s.name, 24)}
          </span>
        ))}
      </div>
    </figure>
  );
}

/** Bars side by side per category, one per series, on one count axis. */
function Bars({ categories, series, counts, scoreKey }: { categories: string[]; series: ChartSeries[]; counts: (number | undefined)[][]; scoreKey: string }) {
  const top = Math.max(1, ...counts.flat().map((count) => count ?? 0));
  const slot = (WIDTH - AXIS) / categories.length;
  const bar = Math.max(1, (slot - 4) / series.length);
  const height = PLOT_TOP + PLOT_HEIGHT + 30;
  const y = (count: number) => PLOT_TOP + PLOT_HEIGHT - (count / top) * PLOT_HEIGHT;
  const labelEvery = Math.ceil(categories.length / 6);
  return (
    <svg width={WIDTH} height={height} viewBox={`0 0 ${WIDTH} ${height}`} role="img" aria-label={`Distribution of ${scoreKey} per experiment`}>
      <text x={AXIS - 4} y={PLOT_TOP + 4} className="chart-axis" textAnchor="end">
        {formatCount(top)}
      </text>
      <text x={AXIS - 4} y={PLOT_TOP + PLOT_HEIGHT} className="chart-axis" textAnchor="end">
        0
      </text>
      <line x1={AXIS} x2={WIDTH} y1={PLOT_TOP + PLOT_HEIGHT} y2={PLOT_TOP + PLOT_HEIGHT} className="chart-track" />
      {categories.map((category, index) => (
        <g key={category} data-value={category}>
          {series.map((s, at) => {
            const count = counts[at]?.[index];
            if (count === undefined) return null;
            return (
              <rect
                key={s.experimentId}
                x={AXIS + index * slot + 2 + at * bar}
                y={y(count)}
                width={bar}
                height={Math.max(0, PLOT_TOP + PLOT_HEIGHT - y(count))}
                fill={s.color}
                data-experiment-id={s.experimentId}
                data-count={count}
              >
                <title>{`${s.name}: ${formatCount(count)} runs with ${scoreKey} ${category}`}</title>
              </rect>
            );
          })}
          {index % labelEvery === 0 && (
            <text x={AXIS + index * slot + slot / 2} y={PLOT_TOP + PLOT_HEIGHT + 14} className="chart-axis" textAnchor="middle">
              {preview(category, Math.max(4, Math.floor((slot * labelEvery) / 6)))}
            </text>
          )}
        </g>
      ))}
    </svg>
  );
}
