import { ConflictError, NotFoundError, ValidationError } from '../domain/errors.js';
import { newId, parseId } from '../domain/ids.js';
import { canonicalJson, type Json, type JsonObject } from '../domain/json.js';
import { LIMITS } from '../domain/limits.js';
import { optionalTime } from '../domain/time.js';
import type { Actor, Dataset, DatasetVersion, Experiment } from '../domain/types.js';
import type { Store, Transaction } from '../store/database.js';
import type { DatasetTable } from '../store/schema.js';
import type { DatasetService } from './datasets.js';
import type { DatasetExperimentSummary, ExperimentService } from './experiments.js';
import type { NewRecord, RecordPatch, RecordService } from './records.js';
import { existingScoreIds, findDatasetRow } from './rows/finders.js';
import { presentDataset } from './rows/present.js';
import type { NewScore } from './rows/scores.js';
import type { NewRun, RunService } from './runs.js';
import type { ScoreService } from './scores.js';

/** The record (dataset example) a run is a result for. */
export interface UploadedRecord {
  /**
   * The record's id. A current record with this id takes the content given (a new version when it
   * changes); otherwise a record is added with this id. A new record with a new id when omitted.
   */
  id?: string | null;
  input: Json;
  expected_output?: Json;
}

/** One row of an upload: a run together with the record it is a result for. */
export interface UploadedRun extends Omit<NewRun, 'record_id' | 'start_time' | 'end_time'> {
  record: UploadedRecord;
  /** Both required, and both within the experiment's start and end. */
  start_time: string | number;
  end_time: string | number;
}

/**
 * An experiment that has already run, uploaded whole: its dataset (found or made), the records its
 * runs are results for, the experiment, the runs and their scores. Field names are those of
 * ExperimentInput, NewRun and NewScore, so faults point into this shape the way those services do.
 */
export interface ExperimentUpload {
  /** The dataset's id: the dataset with this id, or a new one made with it. */
  dataset_id?: string | null;
  /** The dataset's name: used to find it when no id is given, and to name a new one. */
  dataset_name?: string | null;
  /** The description of a dataset made by the upload (an existing dataset keeps its own). */
  dataset_description?: string | null;
  name: string;
  description?: string | null;
  metadata?: JsonObject;
  start_time: string | number;
  end_time: string | number;
  /** The surface uploading it. */
  source?: string;
  /** Scores of the whole experiment. */
  scores?: Omit<NewScore, 'run_id'>[];
  runs: UploadedRun[];
}

export interface ExperimentUploadResult {
  /** The dataset as it is after the upload. */
  dataset: Dataset;
  /** All of the dataset's experiments, this one included. */
  dataset_experiments: DatasetExperimentSummary;
  experiment: Experiment;
  /** The version the upload committed; null when every record already held what the upload gave. */
  version: DatasetVersion | null;
  /** In the order of the upload's runs. */
  run_ids: string[];
  /** The record of each run, in the order of the upload's runs. */
  record_ids: string[];
}

/**
 * Uploads of whole experiments into external datasets (LangSmith's upload-experiment). Every upload
 * is one transaction: the dataset, the records' version, the experiment, its runs and scores are
 * written together or not at all.
 *
 * - The dataset is found by id, else by name, else made as an `external` dataset with the id and name
 *   given (a missing one is generated). Only `external` datasets take uploads, and only uploads write
 *   to them (the services refuse every other writer).
 * - A record id that names a current record updates it when the content differs; uploads never
 *   remove records. The experiment is pinned to the version that results, so re-uploading the same
 *   rows commits no version and the experiments line up record for record.
 * - Runs may name the same record more than once (repetitions), with the same content each time.
 */
export class ExperimentUploadService {
  constructor(
    private readonly store: Store,
    private readonly datasets: DatasetService,
    private readonly records: RecordService,
    private readonly experiments: ExperimentService,
    private readonly runs: RunService,
    private readonly scores: ScoreService,
  ) {}

  async upload(actor: Actor, upload: ExperimentUpload): Promise<ExperimentUploadResult> {
    const plan = planUpload(upload);
    // A dataset made by another request between our look and our insert is there to find on a retry.
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.store.transaction((tx) => this.write(actor, upload, plan, tx));
      } catch (error) {
        if (!(error instanceof DatasetCreationConflict)) throw error;
        if (attempt === 2) throw unmakeableDataset(plan);
      }
    }
  }

  private async write(actor: Actor, upload: ExperimentUpload, plan: UploadPlan, tx: Transaction): Promise<ExperimentUploadResult> {
    const dataset = await this.findOrCreateDataset(actor, upload, plan, tx);
    const committed = await this.commitRecords(actor, dataset, upload, plan, tx);
    const experiment = await this.experiments.create(
      actor,
      {
        name: upload.name,
        dataset_id: dataset.id,
        description: upload.description ?? null,
        metadata: upload.metadata ?? {},
        start_time: plan.startTime,
        end_time: plan.endTime,
        source: upload.source,
      },
      { writer: 'external', transaction: tx },
    );
    const runs = upload.runs.map(({ record: _record, ...run }, index): NewRun => ({ ...run, record_id: plan.recordIds[index]! }));
    const appended = runs.length ? await this.runs.append(actor, experiment.id, runs, { transaction: tx }) : { run_ids: [] };
    if (upload.scores?.length) {
      // The score service skips ids it has seen (so score requests can be retried); here a known id
      // would silently leave the new experiment without its score, so it is refused instead.
      const taken = await existingScoreIds(tx, actor, plan.summaryScoreIds);
      const index = upload.scores.findIndex((score) => score.id !== undefined && taken.has(parseId(score.id) ?? ''));
      if (index >= 0) {
        throw new ConflictError(`Score ${upload.scores[index]!.id} already exists`, [
          { pointer: `/scores/${index}/id`, detail: 'is the id of a score recorded before' },
        ]);
      }
      await this.scores.create(actor, experiment.id, upload.scores, { transaction: tx });
    }
    const after = await findDatasetRow(this.store, tx, actor, dataset.id);
    const summary = (await this.experiments.summarizeByDataset(actor, [dataset.id], { transaction: tx })).get(dataset.id);
    return {
      dataset: presentDataset(after),
      dataset_experiments: summary ?? { experiment_count: 0, last_start_time: null },
      experiment,
      version: committed,
      run_ids: appended.run_ids,
      record_ids: plan.recordIds,
    };
  }

  /** The dataset the upload names, locked for the commit; made (external) when there is none. */
  private async findOrCreateDataset(actor: Actor, upload: ExperimentUpload, plan: UploadPlan, tx: Transaction): Promise<DatasetTable> {
    const lockRow = (id: string) => findDatasetRow(this.store, tx, actor, id, { lock: true });
    if (plan.datasetId) {
      const byId = await lockRow(plan.datasetId).catch(unlessNotFound);
      if (byId) return byId;
    }
    const name = upload.dataset_name || generatedDatasetName(plan.datasetId!);
    const byName = await this.datasets.getByName(actor, name, { transaction: tx }).catch(unlessNotFound);
    if (byName) {
      if (plan.datasetId) {
        throw new ConflictError(`Another dataset (${byName.id}) is named ${JSON.stringify(name)}`, [
          { pointer: '/dataset_name', detail: 'is the name of a dataset with another id' },
        ]);
      }
      return lockRow(byName.id);
    }
    let created: Dataset;
    try {
      created = await this.datasets.create(
        actor,
        { id: plan.datasetId ?? newId(), name, description: upload.dataset_description ?? null, managed_by: 'external' },
        { transaction: tx },
      );
    } catch (error) {
      if (error instanceof ConflictError) throw new DatasetCreationConflict();
      throw error;
    }
    return lockRow(created.id);
  }

  /** Adds the records that are new and updates the current ones whose content the upload changes. */
  private async commitRecords(
    actor: Actor,
    dataset: DatasetTable,
    upload: ExperimentUpload,
    plan: UploadPlan,
    tx: Transaction,
  ): Promise<DatasetVersion | null> {
    const current = await this.records.currentIds(actor, dataset.id, plan.recordIds, { transaction: tx });
    const add: NewRecord[] = [];
    const update: RecordPatch[] = [];
    const seen = new Set<string>();
    upload.runs.forEach(({ record }, index) => {
      const id = plan.recordIds[index]!;
      if (seen.has(id)) return;
      seen.add(id);
      // The row states the record whole: no expected output given means the record has none.
      const content = { input: record.input, expected_output: record.expected_output ?? null };
      if (current.has(id)) update.push({ id, ...content });
      else add.push({ id, ...content });
    });
    const changed = await this.records.change(
      actor,
      dataset.id,
      { add, update },
      { writer: 'external', message: `Uploaded with experiment ${JSON.stringify(upload.name)}`, transaction: tx },
    );
    return changed.version;
  }
}

/** What is known of an upload before touching the store: its ids and times, checked. */
interface UploadPlan {
  datasetId: string | undefined;
  startTime: string;
  endTime: string;
  /** The record of each run: the id given, or a new one. */
  recordIds: string[];
  /** Ids given to the experiment's own scores. */
  summaryScoreIds: string[];
}

/** Thrown inside the transaction when the dataset could not be made because its name or id was taken. */
class DatasetCreationConflict extends Error {}

/** Twice not found by id or name, and twice not made: the id is another workspace's, or names keep racing. */
function unmakeableDataset(plan: UploadPlan): NotFoundError | ConflictError {
  if (plan.datasetId) {
    return new NotFoundError('Dataset', plan.datasetId, [
      { pointer: '/dataset_id', detail: 'names no dataset of this workspace and cannot be given to a new one' },
    ]);
  }
  return new ConflictError('The dataset was being made by another request at the same moment; retry the upload', [
    { pointer: '/dataset_name', detail: 'was being taken by another request' },
  ]);
}

/** The name of a dataset made by an upload that gave only an id. */
function generatedDatasetName(datasetId: string): string {
  return `external-dataset-${datasetId}`;
}

function unlessNotFound(error: unknown): undefined {
  if (error instanceof NotFoundError) return undefined;
  throw error;
}

/** Checks everything an upload can get wrong on its own, so that the transaction meets no surprise. */
function planUpload(upload: ExperimentUpload): UploadPlan {
  if (upload.runs.length > LIMITS.recordsPerRequest) {
    throw ValidationError.field('/runs', `must hold at most ${LIMITS.recordsPerRequest} items (got ${upload.runs.length})`);
  }
  const datasetId = upload.dataset_id ? parseId(upload.dataset_id) : undefined;
  if (upload.dataset_id && !datasetId) throw ValidationError.field('/dataset_id', 'must be a UUID');
  if (!datasetId && !upload.dataset_name) {
    const detail = 'is required when the other is absent: the dataset is named by its id, its name, or both';
    throw new ValidationError('Either dataset_id or dataset_name is required', [
      { pointer: '/dataset_id', detail },
      { pointer: '/dataset_name', detail },
    ]);
  }

  const requiredTime = (value: string | number | null | undefined, pointer: string): string => {
    const time = optionalTime(value, pointer);
    if (time === null) throw ValidationError.field(pointer, 'is required');
    return time;
  };
  const startTime = requiredTime(upload.start_time, '/start_time');
  const endTime = requiredTime(upload.end_time, '/end_time');
  if (endTime < startTime) throw ValidationError.field('/end_time', 'must not be before start_time');
  const window = `the experiment's start and end (${startTime} to ${endTime})`;

  const recordIds: string[] = [];
  const firstRunOf = new Map<string, number>();
  upload.runs.forEach((run, index) => {
    for (const field of ['start_time', 'end_time'] as const) {
      const time = requiredTime(run[field], `/runs/${index}/${field}`);
      if (time < startTime || time > endTime) throw ValidationError.field(`/runs/${index}/${field}`, `must lie between ${window}`);
    }
    const given = run.record.id;
    const id = given ? parseId(given) : newId();
    if (!id) throw ValidationError.field(`/runs/${index}/record/id`, 'must be a UUID');
    recordIds.push(id);
    const first = firstRunOf.get(id);
    if (first === undefined) {
      firstRunOf.set(id, index);
      return;
    }
    // Repeated runs of one record must agree on what the record is.
    const earlier = upload.runs[first]!.record;
    for (const field of ['input', 'expected_output'] as const) {
      if (canonicalJson(run.record[field] ?? null) !== canonicalJson(earlier[field] ?? null)) {
        throw ValidationError.field(`/runs/${index}/record/${field}`, `differs from that of run ${first}, which names the same record`);
      }
    }
  });

  // Score ids are unique in the workspace: the same id twice in one upload can only be a mistake.
  const scorePointers = [
    ...(upload.scores ?? []).map((score, j) => ({ id: score.id, pointer: `/scores/${j}/id` })),
    ...upload.runs.flatMap((run, index) => (run.scores ?? []).map((score, j) => ({ id: score.id, pointer: `/runs/${index}/scores/${j}/id` }))),
  ];
  const seenScoreIds = new Set<string>();
  for (const { id: given, pointer } of scorePointers) {
    if (given === undefined) continue;
    const id = parseId(given);
    if (!id) throw ValidationError.field(pointer, 'must be a UUID');
    if (seenScoreIds.has(id)) throw ValidationError.field(pointer, 'appears twice in the upload');
    seenScoreIds.add(id);
  }
  const summaryScoreIds = (upload.scores ?? []).flatMap((score) => (score.id === undefined ? [] : [parseId(score.id)!]));
  return { datasetId, startTime, endTime, recordIds, summaryScoreIds };
}
