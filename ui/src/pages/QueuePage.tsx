import { useQuery } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { getQueue, queueAgreement, queueProgress, type QueueAgreement } from '../api/endpoints.js';
import { QueryState } from '../components/States.js';
import { ProgressBar } from './review/ProgressBar.js';

const figure = (value: number | null) => (value === null ? '—' : value.toFixed(3));

/** A queue: its progress, per reviewer, and how far its reviewers agree (the agreement view). */
export function QueuePage() {
  const queueId = useParams().queueId!;
  const queue = useQuery({ queryKey: ['queue', queueId], queryFn: () => getQueue(queueId) });
  const progress = useQuery({ queryKey: ['queue', queueId, 'progress'], queryFn: () => queueProgress(queueId) });
  const agreement = useQuery({ queryKey: ['queue', queueId, 'agreement'], queryFn: () => queueAgreement(queueId) });
  if (!queue.isSuccess) return <QueryState query={queue} loading="Loading the queue…" failure="Could not load the queue" />;
  return (
    <section>
      <h1>{queue.data.name}</h1>
      {queue.data.description && <p>{queue.data.description}</p>}
      <p>
        <Link to={`/queues/${queueId}/review`} className="button">
          Start reviewing
        </Link>
      </p>
      {progress.isSuccess && (
        <div data-testid="queue-progress">
          <ProgressBar done={progress.data.done} total={progress.data.items} label="items done" />
          <table className="table">
            <thead>
              <tr>
                <th>Reviewer</th>
                <th>Reviewed</th>
                <th>Skipped</th>
              </tr>
            </thead>
            <tbody>
              {progress.data.reviewers.map((row) => (
                <tr key={row.reviewer.id}>
                  <td>{row.reviewer.name ?? row.reviewer.id}</td>
                  <td>{row.reviewed}</td>
                  <td>{row.skipped}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <h2>Agreement</h2>
      {agreement.isSuccess ? (
        <AgreementView agreement={agreement.data} />
      ) : (
        <QueryState query={agreement} loading="Computing agreement…" failure="Could not compute agreement" />
      )}
    </section>
  );
}

function AgreementView({ agreement }: { agreement: QueueAgreement }) {
  if (agreement.items === 0) return <p>No item has two reviews yet.</p>;
  return (
    <div data-testid="agreement">
      <p>Over {agreement.items} items with two or more reviews.</p>
      <table className="table">
        <thead>
          <tr>
            <th>Score</th>
            <th>Items</th>
            <th>Reviewers</th>
            <th>Agreement</th>
            <th title="Two reviewers only">Cohen’s κ</th>
            <th>Krippendorff’s α</th>
          </tr>
        </thead>
        <tbody>
          {agreement.configs.map((config) => (
            <tr key={config.score_config_id}>
              <td>
                {config.name} <span className="muted">({config.level})</span>
              </td>
              <td>{config.items}</td>
              <td>{config.reviewers}</td>
              <td>{config.percent_agreement === null ? '—' : `${(config.percent_agreement * 100).toFixed(1)}%`}</td>
              <td>{figure(config.cohen_kappa)}</td>
              <td>{figure(config.krippendorff_alpha)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {agreement.configs.map(
        (config) =>
          config.disagreements.length > 0 && (
            <details key={config.score_config_id}>
              <summary>
                Where reviewers disagree most on {config.name} ({config.disagreements.length})
              </summary>
              <ul>
                {config.disagreements.map((item) => (
                  <li key={item.item_id}>
                    <span className="mono">{item.run_id ?? item.record_id}</span>:{' '}
                    {item.values.map((value) => (
                      <span key={value.reviewer.id}>
                        {value.reviewer.name ?? value.reviewer.id} <code>{JSON.stringify(value.value)}</code>{' '}
                      </span>
                    ))}
                  </li>
                ))}
              </ul>
            </details>
          ),
      )}
    </div>
  );
}
