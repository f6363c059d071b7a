import type { paths } from './generated/schema.js';

/**
 * The native API's shapes, named after the generated declarations of its OpenAPI document
 * (generated/schema.ts, written by `npm run openapi` from the server's route schemas), so that the
 * client, the web UI and the server cannot drift apart. Nothing here restates a field.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

// Reading the generated paths

export type ApiPath = keyof paths;
type HttpMethod = 'get' | 'put' | 'post' | 'delete' | 'patch';

/** The methods a path serves (the generated path items declare the others as `never`). */
export type MethodOf<Path extends ApiPath> = {
  [Method in HttpMethod]-?: NonNullable<paths[Path][Method]> extends never ? never : Method;
}[HttpMethod];

type Operation<Path extends ApiPath, Method extends MethodOf<Path>> = NonNullable<paths[Path][Method]>;

/**
 * The document allows any value where the schemas say "any JSON value" (record inputs and outputs,
 * metadata objects, score values), which the generator renders as `unknown`. Everything the API
 * sends or takes is JSON, so those values read as `Json`.
 */
export type JsonTyped<T> = unknown extends T
  ? Json
  : T extends readonly unknown[]
    ? { [Index in keyof T]: JsonTyped<T[Index]> }
    : T extends object
      ? { [Key in keyof T]: JsonTyped<T[Key]> }
      : T;

/** The JSON body of an operation's response with the given status (`never` if it has none). */
export type ApiResponse<Path extends ApiPath, Method extends MethodOf<Path>, Status extends number = 200> = Operation<Path, Method>['responses'] extends {
  [Code in Status]: { content: { 'application/json': infer Body } };
}
  ? JsonTyped<Body>
  : never;

/** The JSON body an operation takes. */
export type ApiBody<Path extends ApiPath, Method extends MethodOf<Path>> =
  NonNullable<Operation<Path, Method>['requestBody']> extends { content: { 'application/json': infer Body } } ? JsonTyped<Body> : never;

/** The query parameters an operation takes. */
export type ApiQuery<Path extends ApiPath, Method extends MethodOf<Path>> = NonNullable<Operation<Path, Method>['parameters']['query']>;

/**
 * A run may carry fields beyond its documented ones (its schema has `additionalProperties: true`),
 * which the generator renders as an index signature. Code that reads only the documented fields
 * leaves the signature out with this, so a misspelt field stays a compile error.
 */
export type DocumentedFields<T> = { [Key in keyof T as string extends Key ? never : number extends Key ? never : Key]: T[Key] };

// The API's resources

export type Workspace = ApiResponse<'/api/v1/workspace', 'get'>;
export type ApiKey = ApiResponse<'/api/v1/keys/{key_id}', 'get'>;
export type CreatedApiKey = ApiResponse<'/api/v1/keys', 'post', 201>;
export type Project = ApiResponse<'/api/v1/projects/{project_id}', 'get'>;
export type Dataset = ApiResponse<'/api/v1/datasets/{dataset_id}', 'get'>;
/** A dataset as the list answers it: with its experiment count and latest activity. */
export type ListedDataset = ApiResponse<'/api/v1/datasets', 'get'>['data'][number];
export type DatasetVersion = ApiResponse<'/api/v1/datasets/{dataset_id}/versions/{version}', 'get'>;
export type DatasetRecord = ApiResponse<'/api/v1/datasets/{dataset_id}/records/{record_id}', 'get'>;
export type RecordChange = ApiResponse<'/api/v1/datasets/{dataset_id}/diff', 'get'>['data'][number];
export type RecordsChanged = ApiResponse<'/api/v1/datasets/{dataset_id}/records', 'post', 201>;
export type UploadSummary = ApiResponse<'/api/v1/datasets/{dataset_id}/uploads', 'post', 201>;
export type Experiment = ApiResponse<'/api/v1/experiments/{experiment_id}', 'get'>;
export type Run = ApiResponse<'/api/v1/runs/{run_id}', 'get'>;
export type NewRun = ApiBody<'/api/v1/experiments/{experiment_id}/runs', 'post'>['runs'][number];
export type RunsAppended = ApiResponse<'/api/v1/experiments/{experiment_id}/runs', 'post', 201>;
export type Score = ApiResponse<'/api/v1/experiments/{experiment_id}/scores', 'get'>['data'][number];
export type NewScore = ApiBody<'/api/v1/experiments/{experiment_id}/scores', 'post'>['scores'][number];
export type ScoresCreated = ApiResponse<'/api/v1/experiments/{experiment_id}/scores', 'post', 201>;

/** The problem details (RFC 9457) of a failed call, as the server sends them. */
export type ServerProblem = ApiResponse<'/api/v1/workspace', 'get', 401>;

// Comparisons

export type CompareRequest = ApiBody<'/api/v1/comparisons', 'post'>;
export type Comparison = ApiResponse<'/api/v1/comparisons', 'post'>;
export type ExperimentStats = Comparison['stats'][number];
export type Percentiles = ExperimentStats['latency_ms'];
export type ScoreStats = ExperimentStats['scores'][string];
export type ScoreChange = NonNullable<Comparison['baseline']>['changes'][number];
export type PairedTest = ScoreChange['test'];

export type CompareRowsRequest = ApiBody<'/api/v1/comparisons/rows', 'post'>;
export type ComparisonRow = ApiResponse<'/api/v1/comparisons/rows', 'post'>['data'][number];
export type CellChange = NonNullable<ComparisonRow['changes']>[string][string];

export type GroupBy = NonNullable<CompareRequest['group_by']>;
export type RunFilters = NonNullable<CompareRequest['filters']>;
export type ChangeFilter = NonNullable<CompareRowsRequest['change']>;

// People: the signed-in user, sessions, members and invitations.
export type Me = ApiResponse<'/api/v1/auth/me', 'get'>;
export type User = ApiResponse<'/api/v1/auth/password-resets/accept', 'post'>;
export type SessionInfo = ApiResponse<'/api/v1/auth/sessions', 'get'>['data'][number];
export type Member = ApiResponse<'/api/v1/users/{user_id}', 'patch'>;
export type Role = Member['role'];
export type Invitation = ApiResponse<'/api/v1/invitations', 'get'>['data'][number];
export type CreatedInvitation = ApiResponse<'/api/v1/invitations', 'post', 201>;
export type CreatedPasswordReset = ApiResponse<'/api/v1/users/{user_id}/password-resets', 'post', 201>;
