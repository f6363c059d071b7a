import { ConflictError, NotFoundError, ValidationError } from '../../domain/errors.js';
import { isJsonObject, type Json, type JsonObject } from '../../domain/json.js';
import type { Actor, Project } from '../../domain/types.js';
import type { Services } from '../../services/index.js';
import { FILE_TYPES, fileId, fileVersionId, uuidOf, type FileType } from './ids.js';

/**
 * Humanloop's files (prompts, flows, tools, evaluators) and evaluations, kept as evalstore projects
 * (docs/surfaces/humanloop.md has the table). A file is the project named by its path; its type and
 * its version's kernel (a flow's attributes, a prompt's model and template, a tool's function, an
 * evaluator's spec) are in the project's metadata under the keys below. Evalstore keeps one version of
 * a file: an upsert replaces the kernel, and the version id is the project's id in the version prefix.
 * A project made by logging to a prompt path, or by the v4 API, has no type and reads as a prompt.
 */
export const FILE_TYPE_KEY = 'humanloop_type';
export const FILE_KERNEL_KEY = 'humanloop_version';
/** An evaluation's metadata: the file it evaluates, its name and its evaluators (project UUIDs). */
export const EVALUATION_FILE_KEY = 'humanloop_file_id';
export const EVALUATION_NAME_KEY = 'humanloop_name';
export const EVALUATION_EVALUATORS_KEY = 'humanloop_evaluators';

export type ProjectKind = FileType | 'evaluation';

/** What a project is to Humanloop: a file of a type, or an evaluation. */
export function kindOf(project: Project): ProjectKind {
  const type = project.metadata[FILE_TYPE_KEY];
  if (type === 'evaluation' || (FILE_TYPES as readonly Json[]).includes(type ?? null)) return type as ProjectKind;
  return 'prompt';
}

export function kernelOf(project: Project): JsonObject {
  const kernel = project.metadata[FILE_KERNEL_KEY];
  return isJsonObject(kernel) ? kernel : {};
}

/** An evaluator's spec: how it judges (its return type, whether it needs a target). */
export interface EvaluatorSpec {
  arguments_type?: string;
  return_type?: string;
  evaluator_type?: string;
  options?: { name: string }[];
}

export function specOf(evaluator: Project): EvaluatorSpec {
  const spec = kernelOf(evaluator).spec;
  return isJsonObject(spec) ? (spec as EvaluatorSpec) : {};
}

/** A file named in a body by `id` or `path` (`pointer` is where they sit); an unknown id or path is 404 naming the field. */
export async function findFile(
  services: Services,
  actor: Actor,
  given: { id?: string | null; path?: string | null },
  type: FileType | undefined,
  pointer = '',
): Promise<Project> {
  const ref = { id: given.id ?? undefined, path: given.path ?? undefined };
  let project: Project | undefined;
  if (ref.id !== undefined) {
    const uuid = uuidOf('project', ref.id);
    if (!uuid) throw ValidationError.field(`${pointer}/id`, 'is not a file id (pr_, fl_, tl_ or ev_…)', { in: 'body' });
    project = await services.projects.get(actor, uuid).catch((error: unknown) => {
      if (error instanceof NotFoundError)
        throw new NotFoundError('File', ref.id!, [{ pointer: `${pointer}/id`, detail: 'is not a file of the workspace', in: 'body' }]);
      throw error;
    });
  } else if (ref.path !== undefined) {
    project = (await services.projects.list(actor, { name: ref.path, limit: 1 })).data[0];
    if (!project) throw new NotFoundError('File', ref.path, [{ pointer: `${pointer}/path`, detail: 'is not the path of a file', in: 'body' }]);
  } else {
    throw ValidationError.field(pointer, 'one of `path` or `id` is required', { in: 'body' });
  }
  const kind = kindOf(project);
  if (type !== undefined && kind !== type) {
    const field = ref.id !== undefined ? 'id' : 'path';
    throw new NotFoundError('File', ref.id ?? ref.path!, [{ pointer: `${pointer}/${field}`, detail: `is ${article(kind)}, not ${article(type)}`, in: 'body' }]);
  }
  return project;
}

/**
 * Upserts a file by `id` or `path`: the project made when the path is new, else its kernel replaced.
 * A path of another type's file, or of an evaluation, is refused (409), as Humanloop refuses it.
 */
export async function upsertFile(
  services: Services,
  actor: Actor,
  type: FileType,
  given: { id?: string | null; path?: string | null },
  kernel: JsonObject,
): Promise<Project> {
  const body = { id: given.id ?? undefined, path: given.path ?? undefined };
  let ref: { id: string } | { name: string };
  if (body.id !== undefined) {
    const uuid = uuidOf('project', body.id);
    if (!uuid) throw ValidationError.field('/id', 'is not a file id (pr_, fl_, tl_ or ev_…)', { in: 'body' });
    ref = { id: uuid };
  } else if (body.path !== undefined) {
    ref = { name: body.path };
  } else {
    throw ValidationError.field('', 'one of `path` or `id` is required', { in: 'body' });
  }
  const { project } = await services.projects.revise(actor, ref, (current) => {
    if (current && current.metadata[FILE_TYPE_KEY] !== undefined && kindOf(current) !== type) {
      throw new ConflictError(`The path ${JSON.stringify(current.name)} is ${article(kindOf(current))}, not ${article(type)}`, [
        { pointer: body.id !== undefined ? '/id' : '/path', detail: `is ${article(kindOf(current))}`, in: 'body' },
      ]);
    }
    if (current?.is_default) throw new ConflictError('The default project is not a file', [{ pointer: '/path', detail: 'is the default project', in: 'body' }]);
    return { ...(current?.metadata ?? {}), [FILE_TYPE_KEY]: type, [FILE_KERNEL_KEY]: kernel };
  });
  return project;
}

/**
 * v5 `PromptResponse`, `FlowResponse`, `ToolResponse` or `EvaluatorResponse`: the file at its one
 * version, its kernel's fields spread as the type has them. Logs are not counted per version.
 */
export function presentFile(project: Project) {
  const type = kindOf(project) as FileType;
  const { version_name: versionName, version_description: versionDescription, ...kernel } = kernelOf(project);
  const common = {
    path: project.name,
    id: fileId(type, project.id),
    name: project.name.split('/').at(-1) ?? project.name,
    ...(project.description === null ? {} : { description: project.description }),
    ...(typeof versionName === 'string' ? { version_name: versionName } : {}),
    ...(typeof versionDescription === 'string' ? { version_description: versionDescription } : {}),
    tags: [],
    version_id: fileVersionId(type, project.id),
    type,
    environments: [],
    created_at: project.created_at,
    updated_at: project.updated_at,
    last_used_at: project.updated_at,
    version_logs_count: 0,
    total_logs_count: 0,
    inputs: [],
  };
  switch (type) {
    case 'flow':
      return { ...common, attributes: isJsonObject(kernel.attributes) ? kernel.attributes : {} };
    case 'prompt':
      return { ...kernel, ...common, model: typeof kernel.model === 'string' ? kernel.model : '' };
    case 'evaluator':
      return { ...kernel, ...common, spec: isJsonObject(kernel.spec) ? kernel.spec : {} };
    default:
      return { ...kernel, ...common };
  }
}

function article(kind: ProjectKind): string {
  return `${/^[aeiou]/.test(kind) ? 'an' : 'a'} ${kind}`;
}
