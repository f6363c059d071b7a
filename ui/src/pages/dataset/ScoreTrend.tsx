import type { Experiment, ExperimentStats } from '../../api/types.js';
import { formatDateTime, formatScore, preview } from '../../lib/format.js';

const WIDTH = 420;
const HEIGHT = 164;
const LEFT = 40;
const RIGHT = 12;
const TOP = 24;
const BOTTOM = 28;

/** When an experiment ran: its start, else when it was made. */
const timeOf = (experiment: Experiment) => Date.parse(experiment.start_time ?? experiment.created_at);

/**
 * Each score key's mean across a dataset's experiments over time: one chart per key, a point per
 * experiment at the time it ran, joined in time order, from the aggregates the server computed.
 */
export function ScoreTrends({ experiments, stats, scoreKeys }: { experiments: Experiment[]; stats: Map<string, ExperimentStats>; scoreKeys: string[] }) {
  const timed = experiments.filter((experiment) => stats.has(experiment.id)).sort((a, b) => timeOf(a) - timeOf(b));
  if (timed.length < 2 || scoreKeys.length === 0) return null;
  return (
    <section className="card" data-testid="score-trends">
      <h3 className="section-title">Scores across experiments over time</h3>
      <div className="charts">
        {scoreKeys.map((key) => (
          <ScoreTrend key={key} scoreKey={key} points={timed.flatMap((e) => meanOf(e, stats.get(e.id)!, key))} />
        ))}
      </div>
    </section>
  );
}

interface Point {
  experiment: Experiment;
  time: number;
  mean: number;
}

function meanOf(experiment: Experiment, stats: ExperimentStats, key: string): Point[] {
  const mean = stats.scores[key]?.mean;
  return mean === null || mean === undefined ? [] : [{ experiment, time: timeOf(experiment), mean }];
}

function ScoreTrend({ scoreKey, points }: { scoreKey: string; points: Point[] }) {
  if (points.length === 0) return null;
  const first = points[0]!.time;
  const last = points.at(-1)!.time;
  let low = Math.min(...points.map((p) => p.mean));
  let high = Math.max(...points.map((p) => p.mean));
  if (low >= 0 && high <= 1) [low, high] = [0, 1];
  if (low === high) [low, high] = [low - 0.5, high + 0.5];
  const x = (time: number) => (last === first ? (LEFT + WIDTH - RIGHT) / 2 : LEFT + ((time - first) / (last - first)) * (WIDTH - LEFT - RIGHT));
  const y = (mean: number) => TOP + (1 - (mean - low) / (high - low)) * (HEIGHT - TOP - BOTTOM);
  return (
    <figure className="score-chart" data-score-key={scoreKey} data-testid="score-trend">
      <figcaption>
        {scoreKey} <span className="muted small">mean per experiment</span>
      </figcaption>
      <svg width={WIDTH} height={HEIGHT} viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={`Mean ${scoreKey} over time`}>
        <line x1={LEFT} x2={WIDTH - RIGHT} y1={HEIGHT - BOTTOM} y2={HEIGHT - BOTTOM} className="chart-track" />
        <line x1={LEFT} x2={LEFT} y1={TOP} y2={HEIGHT - BOTTOM} className="chart-track" />
        <text x={LEFT - 4} y={TOP + 4} className="chart-axis" textAnchor="end">
          {formatScore(high)}
        </text>
        <text x={LEFT - 4} y={HEIGHT - BOTTOM} className="chart-axis" textAnchor="end">
          {formatScore(low)}
        </text>
        <text x={LEFT} y={HEIGHT - 8} className="chart-axis">
          {formatDateTime(new Date(first).toISOString())}
        </text>
        {last !== first && (
          <text x={WIDTH - RIGHT} y={HEIGHT - 8} className="chart-axis" textAnchor="end">
            {formatDateTime(new Date(last).toISOString())}
          </text>
        )}
        <polyline points={points.map((p) => `${x(p.time)},${y(p.mean)}`).join(' ')} fill="none" stroke="#2b59c3" strokeWidth={1.5} />
        {points.map((p) => (
          <circle key={p.experiment.id} cx={x(p.time)} cy={y(p.mean)} r={4} fill="#2b59c3" data-experiment-id={p.experiment.id} data-mean={p.mean}>
            <title>{`${p.experiment.name} (${formatDateTime(p.experiment.start_time ?? p.experiment.created_at)}): mean ${formatScore(p.mean)}`}</title>
          </circle>
        ))}
        {points.length <= 6 &&
          points.map((p, index) => (
            <text
              key={`${p.experiment.id}-label`}
              x={x(p.time)}
              y={y(p.mean) - 7}
              className="chart-axis"
              textAnchor={points.length > 1 && index === 0 ? 'start' : points.length > 1 && index === points.length - 1 ? 'end' : 'middle'}
            >
              {preview(p.experiment.name, 16)}
            </text>
          ))}
      </svg>
    </figure>
  );
}
