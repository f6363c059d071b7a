import { Link } from 'react-router';
import type { Comparison, Experiment, ScoreChange } from '../../api/types.js';
import { ScoreChart } from '../../components/ScoreChart.js';
import { formatCost, formatCount, formatMs, formatPValue, formatPercent, formatScore, formatSigned } from '../../lib/format.js';

/** A card of aggregates per experiment, then one small distribution chart per score key. */
export function AggregateHeader({ comparison, order, colors }: { comparison: Comparison; order: Experiment[]; colors: Map<string, string> }) {
  const baselineId = comparison.baseline?.experiment_id;
  const statsOf = (id: string) => comparison.stats.find((s) => s.experiment_id === id);
  const scoreKeys = [...new Set(comparison.stats.flatMap((s) => Object.keys(s.scores)))].sort();
  return (
    <section className="aggregates" aria-label="Aggregates">
      <div className="experiment-cards">
        {order.map((experiment) => {
          const stats = statsOf(experiment.id);
          const isBaseline = experiment.id === baselineId;
          return (
            <article
              key={experiment.id}
              className={`card experiment-card${isBaseline ? ' baseline' : ''}`}
              data-experiment-id={experiment.id}
              data-testid="experiment-card"
            >
              <header>
                <i className="swatch" style={{ background: colors.get(experiment.id) }} />
                <Link to={`/experiments/${experiment.id}`} className="experiment-name" title={experiment.name}>
                  {experiment.name}
                </Link>
                {isBaseline && <span className="badge">baseline</span>}
              </header>
              {stats ? (
                <>
                  <dl className="stat-grid">
                    <dt>Runs</dt>
                    <dd data-stat="run_count">{formatCount(stats.run_count)}</dd>
                    <dt>Errors</dt>
                    <dd data-stat="error_rate" className={stats.error_count ? 'bad' : undefined}>
                      {formatPercent(stats.error_rate)}
                    </dd>
                    <dt>p50 / p99</dt>
                    <dd>
                      {formatMs(stats.latency_ms.p50)} / {formatMs(stats.latency_ms.p99)}
                    </dd>
                    <dt>Tokens</dt>
                    <dd>{formatCount(stats.total_tokens)}</dd>
                    <dt>Cost</dt>
                    <dd>{formatCost(stats.total_cost)}</dd>
                  </dl>
                  <table className="score-table">
                    <tbody>
                      {scoreKeys.map((key) => {
                        const score = stats.scores[key];
                        const change = comparison.baseline?.changes.find((c) => c.experiment_id === experiment.id && c.key === key);
                        return (
                          <tr key={key} data-score-key={key}>
                            <th title={key}>{key}</th>
                            <td className="num" data-stat="mean">
                              {score && score.n > 0 ? formatScore(score.mean) : score ? categoricalSummary(score.values) : '–'}
                              {score?.stdev !== null && score?.stdev !== undefined && <span className="muted small"> ±{formatScore(score.stdev)}</span>}
                            </td>
                            <td>{change ? <ChangeSummary change={change} /> : isBaseline ? <span className="muted small">n {score?.n ?? 0}</span> : null}</td>
                          </tr>
                        );
                      })}
                    </tbody>
                  </table>
                </>
              ) : (
                <div className="muted small">No runs.</div>
              )}
            </article>
          );
        })}
      </div>
      {scoreKeys.length > 0 && (
        <div className="charts">
          {scoreKeys.map((key) => (
            <ScoreChart
              key={key}
              scoreKey={key}
              series={order.map((experiment) => ({
                experimentId: experiment.id,
                name: experiment.name,
                color: colors.get(experiment.id) ?? '#888',
                stats: statsOf(experiment.id)?.scores[key],
              }))}
            />
          ))}
        </div>
      )}
    </section>
  );
}

/** Records improved and regressed against the baseline, the mean difference, and whether it is significant. */
function ChangeSummary({ change }: { change: ScoreChange }) {
  const test = change.test;
  const significance =
    test.p_value === null
      ? 'too few paired records for a test'
      : `${test.significant ? 'significant' : 'not significant'}: ${formatPValue(test.p_value)}, n = ${test.n}` +
        (test.ci95 ? `, 95% CI ${formatSigned(test.ci95[0])} to ${formatSigned(test.ci95[1])}` : '');
  return (
    <span
      className="change-summary"
      data-testid="change-summary"
      data-improved={change.improved}
      data-regressed={change.regressed}
      data-significant={test.significant}
    >
      <span className="improved" title="Records that improved">
        ▲{change.improved}
      </span>{' '}
      <span className="regressed" title="Records that regressed">
        ▼{change.regressed}
      </span>{' '}
      <span className={`delta ${deltaClass(test.mean_difference)}`}>{formatSigned(test.mean_difference)}</span>{' '}
      <span className={test.significant ? 'sig yes' : 'sig no'} title={significance}>
        {test.p_value === null
          ? 'n/a'
          : test.significant
            ? `p ${test.p_value < 0.001 ? '<0.001' : formatScore(test.p_value)} ✓`
            : `p ${formatScore(test.p_value)}`}
      </span>
    </span>
  );
}

function deltaClass(delta: number | null): string {
  return delta === null || delta === 0 ? '' : delta > 0 ? 'improved' : 'regressed';
}

function categoricalSummary(values: Record<string, number>): string {
  const top = Object.entries(values).sort((a, b) => b[1] - a[1])[0];
  return top ? `${top[0]} ×${top[1]}` : '–';
}
