import { allPages, type Page } from './pages.js';
import { Transport, type ClientOptions } from './transport.js';
import { searchParams, uploadRecords, type UploadOptions, type UploadSource } from './uploads.js';
import type {
  ApiBody,
  ApiKey,
  ApiQuery,
  ApiResponse,
  CompareRequest,
  CompareRowsRequest,
  Comparison,
  ComparisonRow,
  CreatedApiKey,
  CreatedInvitation,
  CreatedPasswordReset,
  Dataset,
  ListedDataset,
  DatasetRecord,
  DatasetVersion,
  Experiment,
  Invitation,
  Me,
  Member,
  NewRun,
  NewScore,
  Project,
  RecordChange,
  RecordsChanged,
  Run,
  RunsAppended,
  Role,
  Score,
  ScoresCreated,
  SessionInfo,
  UploadSummary,
  User,
  Workspace,
} from './types.js';

/** A list query without its cursor: the iterators page by themselves. */
type Filters<Query> = Omit<Query, 'cursor'>;
type ExportFormat = 'csv' | 'jsonl';

const id = (value: string) => encodeURIComponent(value);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The typed client of evalstore's native API (`/api/v1`). Each resource is a property; lists come as
 * one page (`list`) or as every item (`iterate`, an async iterator over the cursor pages). A call the
 * server refuses throws an EvalstoreError with the problem details.
 *
 *   const evalstore = new Evalstore({ url: 'http://localhost:8080', apiKey: process.env.EVALSTORE_API_KEY });
 *   const dataset = await evalstore.datasets.create({ name: 'qa' });
 *   await evalstore.records.add(dataset.id, [{ input: { question: '2+2?' }, expected_output: '4' }]);
 */
export class Evalstore {
  readonly transport: Transport;
  readonly workspace: WorkspaceResource;
  readonly keys: KeysResource;
  readonly projects: ProjectsResource;
  readonly datasets: DatasetsResource;
  readonly versions: VersionsResource;
  readonly records: RecordsResource;
  readonly uploads: UploadsResource;
  readonly experiments: ExperimentsResource;
  readonly runs: RunsResource;
  readonly scores: ScoresResource;
  readonly comparisons: ComparisonsResource;
  readonly logs: LogsResource;
  readonly auth: AuthResource;
  readonly users: UsersResource;
  readonly invitations: InvitationsResource;

  constructor(options: ClientOptions = {}) {
    this.transport = new Transport(options);
    this.workspace = new WorkspaceResource(this.transport);
    this.keys = new KeysResource(this.transport);
    this.projects = new ProjectsResource(this.transport);
    this.datasets = new DatasetsResource(this.transport);
    this.versions = new VersionsResource(this.transport);
    this.records = new RecordsResource(this.transport);
    this.uploads = new UploadsResource(this.transport);
    this.experiments = new ExperimentsResource(this.transport);
    this.runs = new RunsResource(this.transport);
    this.scores = new ScoresResource(this.transport);
    this.comparisons = new ComparisonsResource(this.transport);
    this.logs = new LogsResource(this.transport);
    this.auth = new AuthResource(this.transport);
    this.users = new UsersResource(this.transport);
    this.invitations = new InvitationsResource(this.transport);
  }
}

class Resource {
  constructor(protected readonly transport: Transport) {}

  protected get api() {
    return this.transport.api;
  }

  protected call<T>(request: Promise<{ data?: unknown; error?: unknown; response: Response }>): Promise<T> {
    return this.transport.call<T>(request);
  }

  /** An export's body, streamed as the server writes it. */
  protected async download(path: string, query: object): Promise<ReadableStream<Uint8Array>> {
    const response = await this.transport.request(path, { query: searchParams(query) });
    return response.body ?? new Blob([]).stream();
  }
}

class WorkspaceResource extends Resource {
  /** The workspace of the client's key. */
  get(): Promise<Workspace> {
    return this.call(this.api.GET('/api/v1/workspace'));
  }
}

class KeysResource extends Resource {
  /** Creates a key; its secret is in the answer only. */
  create(body: ApiBody<'/api/v1/keys', 'post'>): Promise<CreatedApiKey> {
    return this.call(this.api.POST('/api/v1/keys', { body }));
  }

  list(query: ApiQuery<'/api/v1/keys', 'get'> = {}): Promise<Page<ApiKey>> {
    return this.call(this.api.GET('/api/v1/keys', { params: { query } }));
  }

  iterate(query: Filters<ApiQuery<'/api/v1/keys', 'get'>> = {}): AsyncGenerator<ApiKey> {
    return allPages((cursor) => this.list({ ...query, cursor }));
  }

  get(keyId: string): Promise<ApiKey> {
    return this.call(this.api.GET('/api/v1/keys/{key_id}', { params: { path: { key_id: keyId } } }));
  }

  revoke(keyId: string): Promise<ApiKey> {
    return this.call(this.api.DELETE('/api/v1/keys/{key_id}', { params: { path: { key_id: keyId } } }));
  }
}

class ProjectsResource extends Resource {
  create(body: ApiBody<'/api/v1/projects', 'post'>): Promise<Project> {
    return this.call(this.api.POST('/api/v1/projects', { body }));
  }

  list(query: ApiQuery<'/api/v1/projects', 'get'> = {}): Promise<Page<Project>> {
    return this.call(this.api.GET('/api/v1/projects', { params: { query } }));
  }

  iterate(query: Filters<ApiQuery<'/api/v1/projects', 'get'>> = {}): AsyncGenerator<Project> {
    return allPages((cursor) => this.list({ ...query, cursor }));
  }

  get(projectId: string): Promise<Project> {
    return this.call(this.api.GET('/api/v1/projects/{project_id}', { params: { path: { project_id: projectId } } }));
  }

  update(projectId: string, body: ApiBody<'/api/v1/projects/{project_id}', 'patch'>): Promise<Project> {
    return this.call(this.api.PATCH('/api/v1/projects/{project_id}', { params: { path: { project_id: projectId } }, body }));
  }

  async delete(projectId: string): Promise<void> {
    await this.call(this.api.DELETE('/api/v1/projects/{project_id}', { params: { path: { project_id: projectId } } }));
  }
}

class DatasetsResource extends Resource {
  /** Creates a dataset, with its first records (version 1) when `records` is given. */
  create(body: ApiBody<'/api/v1/datasets', 'post'>): Promise<ApiResponse<'/api/v1/datasets', 'post', 201>> {
    return this.call(this.api.POST('/api/v1/datasets', { body }));
  }

  list(query: ApiQuery<'/api/v1/datasets', 'get'> = {}): Promise<Page<ListedDataset>> {
    return this.call(this.api.GET('/api/v1/datasets', { params: { query } }));
  }

  iterate(query: Filters<ApiQuery<'/api/v1/datasets', 'get'>> = {}): AsyncGenerator<ListedDataset> {
    return allPages((cursor) => this.list({ ...query, cursor }));
  }

  get(datasetId: string): Promise<Dataset> {
    return this.call(this.api.GET('/api/v1/datasets/{dataset_id}', { params: { path: { dataset_id: datasetId } } }));
  }

  /** The dataset of that name, or undefined. */
  async findByName(name: string): Promise<Dataset | undefined> {
    const page = await this.list({ name, limit: 1 });
    return page.data[0];
  }

  /** The dataset of that name or, when none has it and it is an id, of that id (404 if not found). */
  async find(nameOrId: string): Promise<Dataset | undefined> {
    return (await this.findByName(nameOrId)) ?? (UUID.test(nameOrId) ? this.get(nameOrId) : undefined);
  }

  update(datasetId: string, body: ApiBody<'/api/v1/datasets/{dataset_id}', 'patch'>): Promise<Dataset> {
    return this.call(this.api.PATCH('/api/v1/datasets/{dataset_id}', { params: { path: { dataset_id: datasetId } }, body }));
  }

  async delete(datasetId: string): Promise<void> {
    await this.call(this.api.DELETE('/api/v1/datasets/{dataset_id}', { params: { path: { dataset_id: datasetId } } }));
  }

  /** The records that differ between two versions, one page. */
  diff(datasetId: string, query: ApiQuery<'/api/v1/datasets/{dataset_id}/diff', 'get'>): Promise<Page<RecordChange>> {
    return this.call(this.api.GET('/api/v1/datasets/{dataset_id}/diff', { params: { path: { dataset_id: datasetId }, query } }));
  }

  iterateDiff(datasetId: string, query: Filters<ApiQuery<'/api/v1/datasets/{dataset_id}/diff', 'get'>>): AsyncGenerator<RecordChange> {
    return allPages((cursor) => this.diff(datasetId, { ...query, cursor }));
  }

  /** A version's records as a CSV or JSONL stream. */
  export(datasetId: string, options: { format?: ExportFormat; version?: string | number } = {}): Promise<ReadableStream<Uint8Array>> {
    return this.download(`/api/v1/datasets/${id(datasetId)}/export`, { format: options.format ?? 'jsonl', version: options.version });
  }
}

class VersionsResource extends Resource {
  list(datasetId: string, query: ApiQuery<'/api/v1/datasets/{dataset_id}/versions', 'get'> = {}): Promise<Page<DatasetVersion>> {
    return this.call(this.api.GET('/api/v1/datasets/{dataset_id}/versions', { params: { path: { dataset_id: datasetId }, query } }));
  }

  iterate(datasetId: string): AsyncGenerator<DatasetVersion> {
    return allPages((cursor) => this.list(datasetId, { cursor }));
  }

  /** A version by number or name; `latest` by default. */
  get(datasetId: string, version: string | number = 'latest'): Promise<DatasetVersion> {
    return this.call(
      this.api.GET('/api/v1/datasets/{dataset_id}/versions/{version}', { params: { path: { dataset_id: datasetId, version: String(version) } } }),
    );
  }

  /** Names a version (names are unique in a dataset). */
  name(datasetId: string, version: string | number, name: string): Promise<DatasetVersion> {
    return this.call(
      this.api.PATCH('/api/v1/datasets/{dataset_id}/versions/{version}', {
        params: { path: { dataset_id: datasetId, version: String(version) } },
        body: { name },
      }),
    );
  }
}

type NewRecords = ApiBody<'/api/v1/datasets/{dataset_id}/records', 'post'>['records'];
type RecordUpdates = ApiBody<'/api/v1/datasets/{dataset_id}/records', 'patch'>['records'];

class RecordsResource extends Resource {
  /** Adds 1 to 10,000 records in one new version. */
  add(datasetId: string, records: NewRecords, options: { message?: string } = {}): Promise<RecordsChanged> {
    return this.call(
      this.api.POST('/api/v1/datasets/{dataset_id}/records', { params: { path: { dataset_id: datasetId } }, body: { records, message: options.message } }),
    );
  }

  list(datasetId: string, query: ApiQuery<'/api/v1/datasets/{dataset_id}/records', 'get'> = {}): Promise<Page<DatasetRecord>> {
    return this.call(this.api.GET('/api/v1/datasets/{dataset_id}/records', { params: { path: { dataset_id: datasetId }, query } }));
  }

  /** Every record of a version (the latest by default) that matches the filters. */
  iterate(datasetId: string, query: Filters<ApiQuery<'/api/v1/datasets/{dataset_id}/records', 'get'>> = {}): AsyncGenerator<DatasetRecord> {
    return allPages((cursor) => this.list(datasetId, { ...query, cursor }));
  }

  get(datasetId: string, recordId: string, options: { version?: string | number } = {}): Promise<DatasetRecord> {
    const query = options.version === undefined ? {} : { version: String(options.version) };
    return this.call(
      this.api.GET('/api/v1/datasets/{dataset_id}/records/{record_id}', { params: { path: { dataset_id: datasetId, record_id: recordId }, query } }),
    );
  }

  /** Updates records (by id or external_id) in one new version. */
  update(datasetId: string, records: RecordUpdates, options: { message?: string } = {}): Promise<RecordsChanged> {
    return this.call(
      this.api.PATCH('/api/v1/datasets/{dataset_id}/records', { params: { path: { dataset_id: datasetId } }, body: { records, message: options.message } }),
    );
  }

  updateOne(datasetId: string, recordId: string, body: ApiBody<'/api/v1/datasets/{dataset_id}/records/{record_id}', 'patch'>): Promise<RecordsChanged> {
    return this.call(
      this.api.PATCH('/api/v1/datasets/{dataset_id}/records/{record_id}', { params: { path: { dataset_id: datasetId, record_id: recordId } }, body }),
    );
  }

  /** Deletes records by id or external_id in one new version. */
  delete(datasetId: string, body: ApiBody<'/api/v1/datasets/{dataset_id}/records/delete', 'post'>): Promise<RecordsChanged> {
    return this.call(this.api.POST('/api/v1/datasets/{dataset_id}/records/delete', { params: { path: { dataset_id: datasetId } }, body }));
  }

  deleteOne(datasetId: string, recordId: string, options: { message?: string } = {}): Promise<RecordsChanged> {
    return this.call(
      this.api.DELETE('/api/v1/datasets/{dataset_id}/records/{record_id}', {
        params: { path: { dataset_id: datasetId, record_id: recordId }, query: { message: options.message } },
      }),
    );
  }
}

class UploadsResource extends Resource {
  /**
   * Streams a CSV or JSONL file into a dataset as one new version, all or nothing; `onProgress` is
   * called as the file goes out and as the server reports the rows it has read.
   */
  create(datasetId: string, source: UploadSource, options: UploadOptions = {}): Promise<UploadSummary> {
    return uploadRecords(this.transport, datasetId, source, options);
  }
}

class ExperimentsResource extends Resource {
  /** Creates an experiment on a dataset version (the latest by default), with its first runs if given. */
  create(body: ApiBody<'/api/v1/experiments', 'post'>): Promise<ApiResponse<'/api/v1/experiments', 'post', 201>> {
    return this.call(this.api.POST('/api/v1/experiments', { body }));
  }

  list(query: ApiQuery<'/api/v1/experiments', 'get'> = {}): Promise<Page<Experiment>> {
    return this.call(this.api.GET('/api/v1/experiments', { params: { query } }));
  }

  iterate(query: Filters<ApiQuery<'/api/v1/experiments', 'get'>> = {}): AsyncGenerator<Experiment> {
    return allPages((cursor) => this.list({ ...query, cursor }));
  }

  get(experimentId: string): Promise<Experiment> {
    return this.call(this.api.GET('/api/v1/experiments/{experiment_id}', { params: { path: { experiment_id: experimentId } } }));
  }

  /** The experiment of that name on the dataset or, when none has it and it is an id, of that id. */
  async find(nameOrId: string, options: { datasetId: string }): Promise<Experiment | undefined> {
    const named = (await this.list({ dataset_id: options.datasetId, name: nameOrId, limit: 1 })).data[0];
    return named ?? (UUID.test(nameOrId) ? this.get(nameOrId) : undefined);
  }

  update(experimentId: string, body: ApiBody<'/api/v1/experiments/{experiment_id}', 'patch'>): Promise<Experiment> {
    return this.call(this.api.PATCH('/api/v1/experiments/{experiment_id}', { params: { path: { experiment_id: experimentId } }, body }));
  }

  async delete(experimentId: string): Promise<void> {
    await this.call(this.api.DELETE('/api/v1/experiments/{experiment_id}', { params: { path: { experiment_id: experimentId } } }));
  }

  /** The experiment's results (a row per run, scores as columns) as a CSV or JSONL stream. */
  export(experimentId: string, options: { format?: ExportFormat } = {}): Promise<ReadableStream<Uint8Array>> {
    return this.download(`/api/v1/experiments/${id(experimentId)}/export`, { format: options.format ?? 'jsonl' });
  }
}

class RunsResource extends Resource {
  /**
   * Appends 1 to 10,000 runs (with their scores) in one transaction; runs sent again with their ids are
   * not doubled, unless `replaceFailed` asks that runs recorded before as failures be replaced.
   */
  append(experimentId: string, runs: NewRun[], options: { replaceFailed?: boolean } = {}): Promise<RunsAppended> {
    const body = { runs, ...(options.replaceFailed ? { replace_failed: true } : {}) };
    return this.call(this.api.POST('/api/v1/experiments/{experiment_id}/runs', { params: { path: { experiment_id: experimentId } }, body }));
  }

  list(experimentId: string, query: ApiQuery<'/api/v1/experiments/{experiment_id}/runs', 'get'> = {}): Promise<Page<Run>> {
    return this.call(this.api.GET('/api/v1/experiments/{experiment_id}/runs', { params: { path: { experiment_id: experimentId }, query } }));
  }

  iterate(experimentId: string, query: Filters<ApiQuery<'/api/v1/experiments/{experiment_id}/runs', 'get'>> = {}): AsyncGenerator<Run> {
    return allPages((cursor) => this.list(experimentId, { ...query, cursor }));
  }

  get(runId: string): Promise<Run> {
    return this.call(this.api.GET('/api/v1/runs/{run_id}', { params: { path: { run_id: runId } } }));
  }
}

class ScoresResource extends Resource {
  /** Records 1 to 10,000 scores of runs or (without `run_id`) of the whole experiment. */
  create(experimentId: string, scores: NewScore[]): Promise<ScoresCreated> {
    return this.call(this.api.POST('/api/v1/experiments/{experiment_id}/scores', { params: { path: { experiment_id: experimentId } }, body: { scores } }));
  }

  list(experimentId: string, query: ApiQuery<'/api/v1/experiments/{experiment_id}/scores', 'get'> = {}): Promise<Page<Score>> {
    return this.call(this.api.GET('/api/v1/experiments/{experiment_id}/scores', { params: { path: { experiment_id: experimentId }, query } }));
  }

  iterate(experimentId: string, query: Filters<ApiQuery<'/api/v1/experiments/{experiment_id}/scores', 'get'>> = {}): AsyncGenerator<Score> {
    return allPages((cursor) => this.list(experimentId, { ...query, cursor }));
  }
}

class ComparisonsResource extends Resource {
  /** Aggregates of experiments on one dataset, grouped if asked, and their changes against a baseline. */
  compare(body: CompareRequest): Promise<Comparison> {
    return this.call(this.api.POST('/api/v1/comparisons', { body }));
  }

  /** One page of records side by side, each with every experiment's runs and scores. */
  rows(body: CompareRowsRequest): Promise<Page<ComparisonRow>> {
    return this.call(this.api.POST('/api/v1/comparisons/rows', { body }));
  }

  iterateRows(body: Omit<CompareRowsRequest, 'cursor'>): AsyncGenerator<ComparisonRow> {
    return allPages((cursor) => this.rows({ ...body, cursor }));
  }
}

class LogsResource extends Resource {
  /** Records runs of a log stream (made on first use), such as an application's production calls. */
  create(body: ApiBody<'/api/v1/logs', 'post'>): Promise<ApiResponse<'/api/v1/logs', 'post', 201>> {
    return this.call(this.api.POST('/api/v1/logs', { body }));
  }
}

/** Sign-in and a signed-in user's own sessions: for a browser's client (`session` option), which the cookie goes with. */
class AuthResource extends Resource {
  /** Signs in by email and password: the server sets the session cookie and answers the CSRF token. */
  signIn(body: ApiBody<'/api/v1/auth/sign-in', 'post'>): Promise<Me> {
    return this.call(this.api.POST('/api/v1/auth/sign-in', { body }));
  }

  signOut(): Promise<void> {
    return this.call(this.api.POST('/api/v1/auth/sign-out'));
  }

  /** The signed-in user, their workspaces with roles, and the session's CSRF token. */
  me(): Promise<Me> {
    return this.call(this.api.GET('/api/v1/auth/me'));
  }

  sessions(): Promise<SessionInfo[]> {
    return this.call<{ data: SessionInfo[] }>(this.api.GET('/api/v1/auth/sessions')).then((page) => page.data);
  }

  revokeSession(sessionId: string): Promise<void> {
    return this.call(this.api.DELETE('/api/v1/auth/sessions/{session_id}', { params: { path: { session_id: sessionId } } }));
  }

  /** Accepts an invitation's token: makes the account and signs in. */
  acceptInvitation(body: ApiBody<'/api/v1/auth/invitations/accept', 'post'>): Promise<Me> {
    return this.call(this.api.POST('/api/v1/auth/invitations/accept', { body }));
  }

  acceptPasswordReset(body: ApiBody<'/api/v1/auth/password-resets/accept', 'post'>): Promise<User> {
    return this.call(this.api.POST('/api/v1/auth/password-resets/accept', { body }));
  }
}

/** The members of the workspace (admin). */
class UsersResource extends Resource {
  list(): Promise<Member[]> {
    return this.call<{ data: Member[] }>(this.api.GET('/api/v1/users')).then((page) => page.data);
  }

  setRole(userId: string, role: Role): Promise<Member> {
    return this.call(this.api.PATCH('/api/v1/users/{user_id}', { params: { path: { user_id: userId } }, body: { role } }));
  }

  remove(userId: string): Promise<void> {
    return this.call(this.api.DELETE('/api/v1/users/{user_id}', { params: { path: { user_id: userId } } }));
  }

  revokeSessions(userId: string): Promise<{ revoked: number }> {
    return this.call(this.api.DELETE('/api/v1/users/{user_id}/sessions', { params: { path: { user_id: userId } } }));
  }

  /** A one-time password reset link's token and path, to hand over. */
  resetPassword(userId: string): Promise<CreatedPasswordReset> {
    return this.call(this.api.POST('/api/v1/users/{user_id}/password-resets', { params: { path: { user_id: userId } } }));
  }
}

/** Invitations to the workspace (admin). */
class InvitationsResource extends Resource {
  create(body: ApiBody<'/api/v1/invitations', 'post'>): Promise<CreatedInvitation> {
    return this.call(this.api.POST('/api/v1/invitations', { body }));
  }

  list(): Promise<Invitation[]> {
    return this.call<{ data: Invitation[] }>(this.api.GET('/api/v1/invitations')).then((page) => page.data);
  }
}
