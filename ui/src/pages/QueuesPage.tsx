import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { listQueues } from '../api/endpoints.js';
import { Empty, QueryState } from '../components/States.js';

/** The workspace's annotation queues, each with a link to its page and to its review screen. */
export function QueuesPage() {
  const queues = useQuery({ queryKey: ['queues'], queryFn: listQueues });
  if (!queues.isSuccess) return <QueryState query={queues} loading="Loading queues…" failure="Could not load the queues" />;
  if (queues.data.data.length === 0) {
    return <Empty title="No annotation queues yet">Make one through the API: POST /api/v1/annotation-queues.</Empty>;
  }
  return (
    <section>
      <h1>Review queues</h1>
      <table className="table">
        <thead>
          <tr>
            <th>Queue</th>
            <th>Scores</th>
            <th>Reviews per item</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {queues.data.data.map((queue) => (
            <tr key={queue.id}>
              <td>
                <Link to={`/queues/${queue.id}`}>{queue.name}</Link>
              </td>
              <td>{queue.score_configs.map((config) => config.name).join(', ')}</td>
              <td>{queue.reviews_needed}</td>
              <td>
                <Link to={`/queues/${queue.id}/review`}>Review</Link>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
