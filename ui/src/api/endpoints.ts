import { api, send } from './client.js';
import type {
  ChangeFilter,
  Comparison,
  ComparisonRow,
  Dataset,
  DatasetRecord,
  DatasetVersion,
  Experiment,
  GroupBy,
  Page,
  RecordChange,
  Run,
  RunFilters,
  Workspace,
} from './types.js';

/** The native API calls the UI makes, one function each. */

export const getWorkspace = (key?: string) => api<Workspace>('/workspace', { key });

export const listDatasets = (query: { cursor?: string; q?: string; limit?: number }) =>
  api<Page<Dataset>>('/datasets', { query });

export const getDataset = (id: string) => api<Dataset>(`/datasets/${id}`);

export const createDataset = (body: { name: string; description?: string | null }) =>
  api<Dataset>('/datasets', { method: 'POST', body });

export const listVersions = (datasetId: string, query: { cursor?: string; limit?: number }) =>
  api<Page<DatasetVersion>>(`/datasets/${datasetId}/versions`, { query });

export interface RecordFilters {
  version?: string;
  q?: string;
  tag?: string[];
  split?: string[];
  /** `key=value` pairs. */
  metadata?: string[];
}

export const listRecords = (datasetId: string, query: RecordFilters & { cursor?: string; limit?: number }) =>
  api<Page<DatasetRecord> & { version: number }>(`/datasets/${datasetId}/records`, { query: { ...query } });

export const diffVersions = (datasetId: string, query: { from: string; to: string; cursor?: string; limit?: number }) =>
  api<Page<RecordChange> & { from: number; to: number }>(`/datasets/${datasetId}/diff`, { query });

export const listExperiments = (query: { dataset_id?: string; cursor?: string; limit?: number; q?: string }) =>
  api<Page<Experiment>>('/experiments', { query: { ...query, kind: query.dataset_id ? 'experiment' : undefined } });

export const getExperiment = (id: string) => api<Experiment>(`/experiments/${id}`);

export const listRuns = (experimentId: string, query: { trace_id?: string; parent_run_id?: string; root_only?: boolean; cursor?: string; limit?: number }) =>
  api<Page<Run>>(`/experiments/${experimentId}/runs`, { query });

export const getRun = (id: string) => api<Run>(`/runs/${id}`);

export interface ComparisonQuery {
  experiment_ids: string[];
  baseline_id?: string;
  group_by?: GroupBy;
  filters?: RunFilters;
}

export const compare = (body: ComparisonQuery, signal?: AbortSignal) =>
  api<Comparison>('/comparisons', { method: 'POST', body, signal });

export const comparisonRows = (
  body: Omit<ComparisonQuery, 'group_by'> & { cursor?: string; limit?: number; change?: ChangeFilter },
  signal?: AbortSignal,
) => api<Page<ComparisonRow>>('/comparisons/rows', { method: 'POST', body, signal });

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
