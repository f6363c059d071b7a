import { searchParams } from '../../../src/client/uploads.js';
import { clientOfKey, evalstore } from './client.js';
import type { ApiBody, ApiQuery, ApiResponse, Comparison, RunListQuery } from './types.js';

/**
 * The native API calls the UI makes, one function each: the client's typed resources where what they
 * answer is all the UI reads, and the transport's typed calls where the UI reads more of the answer
 * (a records page's version, a diff's versions) or cancels the call (comparisons).
 */

const { transport } = evalstore;

export const getWorkspace = (key?: string) => (key === undefined ? evalstore : clientOfKey(key)).workspace.get();

export const listDatasets = (query: Pick<ApiQuery<'/api/v1/datasets', 'get'>, 'cursor' | 'q' | 'limit'>) => evalstore.datasets.list(query);

export const getDataset = (id: string) => evalstore.datasets.get(id);

export const createDataset = (body: Pick<ApiBody<'/api/v1/datasets', 'post'>, 'name' | 'description'>) => evalstore.datasets.create(body);

export const listVersions = (datasetId: string, query: Pick<ApiQuery<'/api/v1/datasets/{dataset_id}/versions', 'get'>, 'cursor' | 'limit'>) =>
  evalstore.versions.list(datasetId, query);

type RecordQuery = ApiQuery<'/api/v1/datasets/{dataset_id}/records', 'get'>;

/** What the records tab filters by; `metadata` holds `key=value` pairs. */
export type RecordFilters = Pick<RecordQuery, 'version' | 'q' | 'tag' | 'split' | 'metadata'>;

export const listRecords = (datasetId: string, query: RecordFilters & Pick<RecordQuery, 'cursor' | 'limit'>) =>
  transport.call<ApiResponse<'/api/v1/datasets/{dataset_id}/records', 'get'>>(
    transport.api.GET('/api/v1/datasets/{dataset_id}/records', { params: { path: { dataset_id: datasetId }, query } }),
  );

export const diffVersions = (datasetId: string, query: Pick<ApiQuery<'/api/v1/datasets/{dataset_id}/diff', 'get'>, 'from' | 'to' | 'cursor' | 'limit'>) =>
  transport.call<ApiResponse<'/api/v1/datasets/{dataset_id}/diff', 'get'>>(
    transport.api.GET('/api/v1/datasets/{dataset_id}/diff', { params: { path: { dataset_id: datasetId }, query } }),
  );

export const listExperiments = (query: Pick<ApiQuery<'/api/v1/experiments', 'get'>, 'dataset_id' | 'cursor' | 'limit' | 'q' | 'sort' | 'order'>) =>
  evalstore.experiments.list({ ...query, kind: query.dataset_id ? 'experiment' : undefined });

export const getExperiment = (id: string) => evalstore.experiments.get(id);

export const listRuns = (
  experimentId: string,
  query: Pick<ApiQuery<'/api/v1/experiments/{experiment_id}/runs', 'get'>, 'trace_id' | 'parent_run_id' | 'root_only' | 'cursor' | 'limit'>,
) => evalstore.runs.list(experimentId, query);

/** A page of runs with `total`, how many match over every page. */
export const listRunsPage = (experimentId: string, query: RunListQuery) =>
  transport.call<ApiResponse<'/api/v1/experiments/{experiment_id}/runs', 'get'>>(
    transport.api.GET('/api/v1/experiments/{experiment_id}/runs', { params: { path: { experiment_id: experimentId }, query } }),
  );

export const getRun = (id: string) => evalstore.runs.get(id);

export const listScores = (experimentId: string, query: Pick<ApiQuery<'/api/v1/experiments/{experiment_id}/scores', 'get'>, 'run_id' | 'limit'>) =>
  evalstore.scores.list(experimentId, query);

export const getRecord = (datasetId: string, recordId: string, version?: number) =>
  evalstore.records.get(datasetId, recordId, version === undefined ? {} : { version });

export type ComparisonQuery = Pick<ApiBody<'/api/v1/comparisons', 'post'>, 'experiment_ids' | 'baseline_id' | 'group_by' | 'filters'>;

export const compare = (body: ComparisonQuery, signal?: AbortSignal) => transport.call<Comparison>(transport.api.POST('/api/v1/comparisons', { body, signal }));

export const comparisonRows = (
  body: Pick<
    ApiBody<'/api/v1/comparisons/rows', 'post'>,
    'experiment_ids' | 'baseline_id' | 'filters' | 'cursor' | 'limit' | 'change' | 'q' | 'sort' | 'count'
  >,
  signal?: AbortSignal,
) => transport.call<ApiResponse<'/api/v1/comparisons/rows', 'post'>>(transport.api.POST('/api/v1/comparisons/rows', { body, signal }));

/** A file the API streams (an export), fetched with the key and handed to the browser as a download. */
export async function download(path: string, query: Record<string, string>, fallbackName: string): Promise<void> {
  const response = await transport.request(`/api/v1${path}`, { query: searchParams(query) });
  const disposition = response.headers.get('content-disposition') ?? '';
  const name = /filename="([^"]+)"/.exec(disposition)?.[1] ?? fallbackName;
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

// Review: annotation queues, their items, and agreement.

export type Queue = ApiResponse<'/api/v1/annotation-queues/{queue_id}', 'get'>;
export type QueueItem = NonNullable<ApiResponse<'/api/v1/annotation-queues/{queue_id}/next', 'post'>['item']>;
export type QueueProgress = ApiResponse<'/api/v1/annotation-queues/{queue_id}/progress', 'get'>;
export type QueueAgreement = ApiResponse<'/api/v1/annotation-queues/{queue_id}/agreement', 'get'>;
export type ReviewBody = ApiBody<'/api/v1/annotation-queues/{queue_id}/items/{item_id}/review', 'post'>;

const queuePath = (queueId: string) => ({ params: { path: { queue_id: queueId } } });
const itemPath = (queueId: string, itemId: string) => ({ params: { path: { queue_id: queueId, item_id: itemId } } });

export const listQueues = () =>
  transport.call<ApiResponse<'/api/v1/annotation-queues', 'get'>>(transport.api.GET('/api/v1/annotation-queues', { params: { query: {} } }));

export const getQueue = (queueId: string) => transport.call<Queue>(transport.api.GET('/api/v1/annotation-queues/{queue_id}', queuePath(queueId)));

export const queueProgress = (queueId: string) =>
  transport.call<QueueProgress>(transport.api.GET('/api/v1/annotation-queues/{queue_id}/progress', queuePath(queueId)));

export const queueAgreement = (queueId: string) =>
  transport.call<QueueAgreement>(transport.api.GET('/api/v1/annotation-queues/{queue_id}/agreement', queuePath(queueId)));

export const nextItem = (queueId: string) =>
  transport.call<{ item: QueueItem | null }>(transport.api.POST('/api/v1/annotation-queues/{queue_id}/next', queuePath(queueId)));

export const previousItem = (queueId: string, before?: string) =>
  transport.call<{ item: QueueItem | null }>(
    transport.api.GET('/api/v1/annotation-queues/{queue_id}/previous', { params: { path: { queue_id: queueId }, query: before ? { before } : {} } }),
  );

export const reviewItem = (queueId: string, itemId: string, body: ReviewBody) =>
  transport.call(transport.api.POST('/api/v1/annotation-queues/{queue_id}/items/{item_id}/review', { ...itemPath(queueId, itemId), body }));

export const skipItem = (queueId: string, itemId: string) =>
  transport.call(transport.api.POST('/api/v1/annotation-queues/{queue_id}/items/{item_id}/skip', itemPath(queueId, itemId)));
