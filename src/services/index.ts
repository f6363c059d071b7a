import type { Store } from '../store/database.js';
import { AnnotationQueueService } from './annotation-queues.js';
import { ApiKeyService } from './api-keys.js';
import { ComparativeExperimentService } from './comparative-experiments.js';
import { ComparisonService } from './comparisons/index.js';
import { DatasetService } from './datasets.js';
import { DraftService } from './drafts.js';
import { ExperimentUploadService } from './experiment-uploads.js';
import { ExperimentService } from './experiments.js';
import { ExportService } from './exports.js';
import { LogService } from './logs.js';
import { ProjectService } from './projects.js';
import { RecordScoreService } from './record-scores.js';
import { RecordService } from './records.js';
import { RunIngestService } from './run-ingest.js';
import { RunService } from './runs.js';
import { ScoreConfigService } from './score-configs.js';
import { ScoreService } from './scores.js';
import { SessionService, type SessionLifetimes } from './sessions.js';
import { UploadService } from './uploads/index.js';
import { UserService } from './users.js';
import { VersionService } from './versions.js';
import { WorkspaceService } from './workspaces.js';

/** Every service over one store. Surfaces, the CLI and tests reach the domain only through these. */
export interface Services {
  store: Store;
  keys: ApiKeyService;
  workspaces: WorkspaceService;
  projects: ProjectService;
  datasets: DatasetService;
  drafts: DraftService;
  records: RecordService;
  recordScores: RecordScoreService;
  versions: VersionService;
  exports: ExportService;
  uploads: UploadService;
  experiments: ExperimentService;
  runs: RunService;
  runIngest: RunIngestService;
  logs: LogService;
  scores: ScoreService;
  scoreConfigs: ScoreConfigService;
  annotationQueues: AnnotationQueueService;
  experimentUploads: ExperimentUploadService;
  comparisons: ComparisonService;
  comparativeExperiments: ComparativeExperimentService;
  sessions: SessionService;
  users: UserService;
}

export interface ServiceOptions {
  /** How long sign-in sessions live (defaults: SESSION_IDLE_MS, SESSION_ABSOLUTE_MS). */
  sessions?: SessionLifetimes;
  /** This server process's instance id (see UploadService); absent for stores used in-process. */
  instanceId?: string;
}

export function createServices(store: Store, options: ServiceOptions = {}): Services {
  const keys = new ApiKeyService(store);
  const sessions = new SessionService(store, options.sessions);
  const projects = new ProjectService(store);
  const records = new RecordService(store);
  const datasets = new DatasetService(store, projects, records);
  const runs = new RunService(store);
  const experiments = new ExperimentService(store, projects, runs);
  const scores = new ScoreService(store);
  const comparisons = new ComparisonService(store);
  return {
    store,
    keys,
    projects,
    workspaces: new WorkspaceService(store, keys, projects),
    datasets,
    drafts: new DraftService(store),
    records,
    recordScores: new RecordScoreService(store),
    versions: new VersionService(store),
    exports: new ExportService(store),
    uploads: new UploadService(store, options.instanceId ?? null),
    experiments,
    runs,
    runIngest: new RunIngestService(store, experiments, runs, scores),
    logs: new LogService(store, projects, experiments, runs),
    scores,
    scoreConfigs: new ScoreConfigService(store),
    experimentUploads: new ExperimentUploadService(store, datasets, records, experiments, runs, scores),
    comparisons,
    annotationQueues: new AnnotationQueueService(store, runs, records, scores, comparisons),
    comparativeExperiments: new ComparativeExperimentService(store),
    sessions,
    users: new UserService(store, sessions),
  };
}
