import { api, send } from './client.js';
import type { ApiBody, ApiQuery, ApiResponse, Comparison, Dataset, Experiment, Workspace } from './types.js';

/** The native API calls the UI makes, one function each, typed by the API's OpenAPI document. */

export const getWorkspace = (key?: string) => api<Workspace>('/workspace', { key });

export const listDatasets = (query: Pick<ApiQuery<'/api/v1/datasets', 'get'>, 'cursor' | 'q' | 'limit'>) =>
  api<ApiResponse<'/api/v1/datasets', 'get'>>('/datasets', { query });

export const getDataset = (id: string) => api<Dataset>(`/datasets/${id}`);

export const createDataset = (body: Pick<ApiBody<'/api/v1/datasets', 'post'>, 'name' | 'description'>) =>
  api<ApiResponse<'/api/v1/datasets', 'post', 201>>('/datasets', { method: 'POST', body });

export const listVersions = (datasetId: string, query: Pick<ApiQuery<'/api/v1/datasets/{dataset_id}/versions', 'get'>, 'cursor' | 'limit'>) =>
  api<ApiResponse<'/api/v1/datasets/{dataset_id}/versions', 'get'>>(`/datasets/${datasetId}/versions`, { query });

type RecordQuery = ApiQuery<'/api/v1/datasets/{dataset_id}/records', 'get'>;

/** What the records tab filters by; `metadata` holds `key=value` pairs. */
export type RecordFilters = Pick<RecordQuery, 'version' | 'q' | 'tag' | 'split' | 'metadata'>;

export const listRecords = (datasetId: string, query: RecordFilters & Pick<RecordQuery, 'cursor' | 'limit'>) =>
  api<ApiResponse<'/api/v1/datasets/{dataset_id}/records', 'get'>>(`/datasets/${datasetId}/records`, { query: { ...query } });

export const diffVersions = (datasetId: string, query: Pick<ApiQuery<'/api/v1/datasets/{dataset_id}/diff', 'get'>, 'from' | 'to' | 'cursor' | 'limit'>) =>
  api<ApiResponse<'/api/v1/datasets/{dataset_id}/diff', 'get'>>(`/datasets/${datasetId}/diff`, { query });

export const listExperiments = (query: Pick<ApiQuery<'/api/v1/experiments', 'get'>, 'dataset_id' | 'cursor' | 'limit' | 'q'>) =>
  api<ApiResponse<'/api/v1/experiments', 'get'>>('/experiments', { query: { ...query, kind: query.dataset_id ? 'experiment' : undefined } });

export const getExperiment = (id: string) => api<Experiment>(`/experiments/${id}`);

export const listRuns = (
  experimentId: string,
  query: Pick<ApiQuery<'/api/v1/experiments/{experiment_id}/runs', 'get'>, 'trace_id' | 'parent_run_id' | 'root_only' | 'cursor' | 'limit'>,
) => api<ApiResponse<'/api/v1/experiments/{experiment_id}/runs', 'get'>>(`/experiments/${experimentId}/runs`, { query });


export type ComparisonQuery = Pick<ApiBody<'/api/v1/comparisons', 'post'>, 'experiment_ids' | 'baseline_id' | 'group_by' | 'filters'>;

export const compare = (body: ComparisonQuery, signal?: AbortSignal) =>
  api<Comparison>('/comparisons', { method: 'POST', body, signal });

export const comparisonRows = (
  body: Pick<ApiBody<'/api/v1/comparisons/rows', 'post'>, 'experiment_ids' | 'baseline_id' | 'filters' | 'cursor' | 'limit' | 'change'>,
  signal?: AbortSignal,
) => api<ApiResponse<'/api/v1/comparisons/rows', 'post'>>('/comparisons/rows', { method: 'POST', body, signal });

/** A file the API streams (an export), fetched with the key and handed to the browser as a download. */
export async function download(path: string, query: Record<string, string>, fallbackName: string): Promise<void> {
  const response = await send(path, { query });
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
