import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { spawn } from 'node:child_process';
import { client, v2 } from '@datadog/datadog-api-client';
import { expect } from 'vitest';
import type { TestApp, TestServer } from '../../support/app.js';
import { ChildHandle, REPO_ROOT } from '../../support/processes.js';

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

/** The script's output: the experiment it made. */
export interface ScriptResult {
  experimentId: string;
  rows: number;
  datasetId: string;
}

/** Runs the dd-trace script in a child process, its Datadog requests sent to `server` by the preload module. */
export async function runDdTrace(server: TestServer, mode: 'run' | 'external' | 'evaluate', name: string): Promise<ScriptResult> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--import', './src/client/datadog.ts', 'test/surfaces/datadog/routes/dd-trace-experiment.mjs', mode, name],
    {
      cwd: REPO_ROOT,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        EVALSTORE_URL: server.url,
        DD_API_KEY: server.adminKey,
        DD_APP_KEY: 'unused-application-key',
        DD_SITE: 'datadoghq.com',
        DD_LLMOBS_ENABLED: 'true',
        DD_TRACE_AGENT_URL: 'http://127.0.0.1:9',
        DD_INSTRUMENTATION_TELEMETRY_ENABLED: 'false',
        DD_REMOTE_CONFIGURATION_ENABLED: 'false',
        DD_CRASHTRACKING_ENABLED: 'false',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const handle = new ChildHandle(child, `dd-trace ${mode}`);
  const exit = await handle.waitForExit(60_000);
  expect(exit.code, handle.describeOutput()).toBe(0);
  const line = handle.stdout.trim().split('\n').at(-1)!;
  return JSON.parse(line) as ScriptResult;
}

/** Polls `read` until `done` holds of its answer (the span writer flushes on its own clock), within 20 s. */
export async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 20_000;
  let value = await read();
  while (!done(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    value = await read();
  }
  return value;
}

/** Datadog's own client pointed at the server at `baseUrl`, every LLM Observability operation enabled. */
export function datadogClient(baseUrl: string, key: string): v2.AgentObservabilityApi {
  const configuration = client.createConfiguration({
    baseServer: new client.BaseServerConfiguration(`${baseUrl}/datadog`, {}),
    authMethods: { apiKeyAuth: key, appKeyAuth: 'unused-application-key' },
    enableRetry: false,
  });
  for (const operation of Object.keys(configuration.unstableOperations)) {
    if (/LLMObs/.test(operation)) configuration.unstableOperations[operation] = true;
  }
  return new v2.AgentObservabilityApi(configuration);
}
