import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import type { TestApp } from '../../support/app.js';

/** The public API's path family; the unstable family (dd-trace-py's) serves the same JSON routes. */
export const PUBLIC = '/datadog/api/v2/llm-obs/v1';
export const UNSTABLE = '/datadog/api/unstable/llm-obs/v1';

export type DatadogCall = (options: InjectOptions & { as?: string }) => Promise<LightMyRequestResponse>;

/** Calls the Datadog surface as its clients do: the key in DD-API-KEY (the admin key unless `as` says otherwise). */
export function datadogCaller(app: () => TestApp): DatadogCall {
  return (options) => {
    const { as, headers, ...rest } = options;
    const t = app();
    return t.call({ ...rest, key: null, headers: { 'dd-api-key': as ?? t.adminKey, 'dd-application-key': 'app', ...headers } });
  };
}

/** A JSON:API request body. */
export const envelope = (type: string, attributes: Record<string, unknown>) => ({ data: { type, attributes } });

/** A new project with a new dataset in it, made through `family`; `path` is the dataset's. */
export async function makeDataset(dd: DatadogCall, family = PUBLIC) {
  const project = (await dd({ method: 'POST', url: `${family}/projects`, payload: envelope('projects', { name: `p-${Math.random()}` }) })).json().data;
  const dataset = (await dd({ method: 'POST', url: `${family}/${project.id}/datasets`, payload: envelope('datasets', { name: `d-${Math.random()}` }) })).json()
    .data;
  return { project, dataset, path: `${family}/${project.id}/datasets/${dataset.id}` };
}

export const BOUNDARY = 'datadog-test-boundary';

/** The opening of a multipart body whose `file` part holds a CSV file (the file's bytes follow). */
export const fileHead = (field = 'file') =>
  `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${field}"; filename="records.csv"\r\nContent-Type: text/csv\r\n\r\n`;
export const FILE_TAIL = `\r\n--${BOUNDARY}--\r\n`;
export const MULTIPART = { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` };

/** A multipart body with `file` as its `file` part. */
export function csvForm(file: string): { payload: string; headers: Record<string, string> } {
  return { payload: fileHead() + file + FILE_TAIL, headers: MULTIPART };
}
