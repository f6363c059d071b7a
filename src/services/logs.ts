import { ConflictError, NotFoundError, ValidationError } from '../domain/errors.js';
import type { JsonObject } from '../domain/json.js';
import type { Actor, Experiment } from '../domain/types.js';
import type { Store, Transaction } from '../store/database.js';
import type { ExperimentTable, ProjectTable } from '../store/schema.js';
import type { ExperimentService } from './experiments.js';
import type { ProjectService } from './projects.js';
import { findDefaultProjectRow, findExperimentRow, findProjectRow } from './rows/finders.js';
import { presentExperiment } from './rows/present.js';
import type { AppendResult, NewRun, RunService } from './runs.js';
import { creating, retryingCreationRaces } from './unique.js';

/**
 * Where logs go: a log stream (an experiment without a dataset) named by id, or by name and made on
 * first use. A stream made here belongs to the project named (by id, or by name, made on first use
 * too), else to the default project; a stream named by neither takes its project's name, so a
 * project has a log stream of its own (Humanloop's logs are a project's, or a prompt's, logs).
 */
export interface LogDestination {
  stream_id?: string;
  stream_name?: string;
  project_id?: string;
  project_name?: string;
  /** The surface logging: the `source` of a stream made now (`native` when omitted). */
  source?: string;
  /** The metadata of a project made now (by `project_name`). */
  project_metadata?: JsonObject;
}

export interface LoggedRuns extends AppendResult {
  /** The log stream, as it is after the runs were recorded. */
  stream: Experiment;
}

/**
 * Logs: runs recorded into log streams that need not exist beforehand, so that a client logging to a
 * name never has to create anything first. Each call is one transaction: the project and the stream
 * it makes are there only if the runs are recorded too. Runs follow RunService.append's rules
 * (client-chosen ids make retries idempotent).
 */
export class LogService {
  constructor(
    private readonly store: Store,
    private readonly projects: ProjectService,
    private readonly experiments: ExperimentService,
    private readonly runs: RunService,
  ) {}

  async record(actor: Actor, destination: LogDestination, runs: readonly NewRun[]): Promise<LoggedRuns> {
    const { stream_id: streamId, stream_name: streamName, project_id: projectId, project_name: projectName } = destination;
    if (streamId !== undefined && (streamName !== undefined || projectId !== undefined || projectName !== undefined)) {
      throw ValidationError.field('/stream_id', 'names the log stream, so the stream name and project may not be given with it');
    }
    if (projectId !== undefined && projectName !== undefined) {
      throw ValidationError.field('/project_name', 'may not be given with project_id');
    }
    if (streamId === undefined && streamName === undefined && projectId === undefined && projectName === undefined) {
      throw new ValidationError('A log stream is required: its id, its name or its project', [
        { pointer: '/stream_id', detail: 'or stream_name, project_id or project_name is required' },
      ]);
    }
    return retryingCreationRaces(() => this.store.transaction((tx) => this.recordIn(tx, actor, destination, runs)));
  }

  private async recordIn(tx: Transaction, actor: Actor, destination: LogDestination, runs: readonly NewRun[]): Promise<LoggedRuns> {
    const stream =
      destination.stream_id !== undefined ? await this.existingStream(tx, actor, destination.stream_id) : await this.namedStream(tx, actor, destination);
    const appended = await this.runs.append(actor, stream.id, runs, { transaction: tx });
    return { ...appended, stream: presentExperiment(await findExperimentRow(this.store, tx, actor, stream.id)) };
  }

  private async existingStream(tx: Transaction, actor: Actor, id: string): Promise<ExperimentTable> {
    const row = await findExperimentRow(this.store, tx, actor, id);
    if (row.dataset_id !== null) {
      throw new NotFoundError('Log stream', id, [{ pointer: '/stream_id', detail: 'is an experiment on a dataset, not a log stream' }]);
    }
    return row;
  }

  private async namedStream(tx: Transaction, actor: Actor, destination: LogDestination): Promise<ExperimentTable> {
    const project = await this.projectOf(tx, actor, destination);
    const name = destination.stream_name ?? project.name;
    const found = await tx
      .selectFrom('experiments')
      .selectAll()
      .where('workspace_id', '=', actor.workspaceId)
      .where('name', '=', name)
      .where('dataset_id', 'is', null)
      .executeTakeFirst();
    const projectNamed = destination.project_id !== undefined || destination.project_name !== undefined;
    if (found && projectNamed && found.project_id !== project.id) {
      throw new ConflictError(`The log stream ${JSON.stringify(name)} belongs to another project (log stream names are unique in a workspace)`, [
        { pointer: destination.stream_name === undefined ? '/project_name' : '/stream_name', detail: 'names a log stream of another project' },
      ]);
    }
    if (found) return found;
    const made = await creating(() => this.experiments.create(actor, { name, project_id: project.id, source: destination.source }, { transaction: tx }));
    return findExperimentRow(this.store, tx, actor, made.id);
  }

  private async projectOf(tx: Transaction, actor: Actor, destination: LogDestination): Promise<ProjectTable> {
    if (destination.project_id !== undefined) {
      return findProjectRow(this.store, tx, actor, destination.project_id, { issue: { pointer: '/project_id', detail: 'is not a project of the workspace' } });
    }
    const name = destination.project_name;
    if (name === undefined) return findDefaultProjectRow(this.store, tx, actor);
    const found = await tx.selectFrom('projects').selectAll().where('workspace_id', '=', actor.workspaceId).where('name', '=', name).executeTakeFirst();
    if (found) return found;
    const made = await creating(() => this.projects.create(actor, { name, metadata: destination.project_metadata }, { transaction: tx }));
    return findProjectRow(this.store, tx, actor, made.id);
  }
}
