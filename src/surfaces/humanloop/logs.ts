import { ValidationError } from '../../domain/errors.js';
import { isJsonObject, type Json, type JsonObject } from '../../domain/json.js';
import type { Project, Run, Score } from '../../domain/types.js';
import type { NewRun, RunPatch } from '../../services/runs.js';
import { logInput } from './datapoints.js';
import { kindOf, presentFile } from './files.js';
import { humanloopId, uuidOf, type FileType } from './ids.js';
import type { V4Log, V5PromptLog, V5PromptLogUpdate } from './schemas.js';

/**
 * Humanloop logs and evalstore runs (docs/surfaces/humanloop.md has the table). A log is a run of its
 * project's (prompt's) log stream; its inputs and messages are the run's input, in the shape a
 * datapoint's record has, so a datapoint made from the log holds them as they were logged. Fields
 * evalstore has no place for are kept in the run's extra fields, as sent.
 */

/** A v5 prompt log (`POST /prompts/log`) as a run; `pointer` locates the log in the body. */
export function runOfPromptLog(log: V5PromptLog, pointer = ''): NewRun {
  const {
    path,
    id: _prompt,
    log_id: logId,
    start_time,
    end_time,
    provider_latency,
    prompt_tokens,
    output_tokens,
    prompt_cost,
    output_cost,
    trace_parent_id,
    ...rest
  } = log;
  return {
    ...runOfLog(rest, path ?? null),
    ...(logId === undefined ? {} : { id: runIdOf(logId, `${pointer}/log_id`) }),
    start_time: start_time ?? null,
    end_time: end_time ?? null,
    latency_ms: secondsToMs(provider_latency),
    prompt_tokens: prompt_tokens ?? null,
    completion_tokens: output_tokens ?? null,
    prompt_cost: prompt_cost ?? null,
    completion_cost: output_cost ?? null,
    parent_run_id: parentRunOf(trace_parent_id),
  };
}

/** A prompt log's update (`PATCH /prompts/{id}/log/{log_id}`) as a change of its run; inputs and messages replace the run's one by one. */
export function patchOfPromptLog(update: V5PromptLogUpdate, run: Run): RunPatch {
  const {
    output,
    output_message: outputMessage,
    error,
    inputs,
    messages,
    metadata,
    start_time,
    end_time,
    prompt_tokens,
    output_tokens,
    prompt_cost,
    output_cost,
    provider_latency,
    log_status: _status,
    ...rest
  } = update;
  const current = isJsonObject(run.input) ? run.input : {};
  const messageText = typeof outputMessage?.content === 'string' ? outputMessage.content : undefined;
  const patch: RunPatch = {};
  if (inputs !== undefined || messages !== undefined) {
    patch.input = logInput({
      inputs: inputs === undefined ? (current.inputs as JsonObject | undefined) : inputs,
      messages: messages === undefined ? (current.messages as Json[] | undefined) : (messages as Json[] | null),
    });
  }
  if (output !== undefined || messageText !== undefined) patch.output = output ?? messageText ?? null;
  if (error !== undefined) patch.error = error;
  if (metadata !== undefined) patch.metadata = metadata ?? {};
  if (start_time !== undefined) patch.start_time = start_time;
  if (end_time !== undefined) patch.end_time = end_time;
  if (prompt_tokens !== undefined) patch.prompt_tokens = prompt_tokens;
  if (output_tokens !== undefined) patch.completion_tokens = output_tokens;
  if (prompt_cost !== undefined) patch.prompt_cost = prompt_cost;
  if (output_cost !== undefined) patch.completion_cost = output_cost;
  if (provider_latency !== undefined) patch.latency_ms = secondsToMs(provider_latency);
  const extra = { ...(rest as JsonObject), ...(outputMessage === undefined ? {} : { output_message: outputMessage as Json }) };
  if (Object.keys(extra).length) patch.extra = extra;
  return patch;
}

/** A v4 log (`POST /logs`) as a run. */
export function runOfV4Log(log: V4Log): NewRun {
  const { project, project_id: _project, parent_id, duration, ...rest } = log;
  return { ...runOfLog(rest, project ?? null), latency_ms: secondsToMs(duration), parent_run_id: parentRunOf(parent_id) };
}

type CommonLog = Pick<V5PromptLog, 'inputs' | 'messages' | 'output' | 'output_message' | 'error' | 'metadata'> & Record<string, unknown>;

function runOfLog(log: CommonLog, name: string | null): NewRun {
  const { inputs, messages, output, output_message: outputMessage, error, metadata, ...rest } = log;
  // Humanloop fills a log's output from its output message when only the message is given.
  const messageText = typeof outputMessage?.content === 'string' ? outputMessage.content : null;
  return {
    name,
    run_type: 'llm',
    input: logInput({ inputs: inputs ?? null, messages: (messages ?? null) as Json[] | null }),
    output: output ?? messageText,
    error: error ?? null,
    metadata: metadata ?? {},
    extra: { ...(rest as JsonObject), ...(outputMessage === undefined ? {} : { output_message: outputMessage as Json }) },
  };
}

function runIdOf(logId: string, pointer: string): string {
  const id = uuidOf('log', logId);
  if (!id) throw ValidationError.field(pointer, 'is not a log id this API hands out (data_…)', { in: 'body' });
  return id;
}

/** A parent log named by its id is that run; another reference is kept as given. */
function parentRunOf(parent: string | null | undefined): string | null {
  if (parent === undefined || parent === null) return null;
  return uuidOf('log', parent) ?? parent;
}

function secondsToMs(seconds: number | null | undefined): number | null {
  return seconds === undefined || seconds === null ? null : seconds * 1000;
}

/** v5 `EvaluatorLogResponse` of a judgment (a score of the judged log `parentId`). */
export function presentJudgment(score: Score, evaluator: Project, parentId: string) {
  const failed = score.score === null && score.value === null;
  const judgment = score.value ?? score.score;
  return {
    id: humanloopId('log', score.id),
    parent_id: parentId,
    ...(judgment === null ? {} : { judgment }),
    ...(failed && score.comment !== null ? { error: score.comment } : {}),
    created_at: score.created_at,
    evaluator: presentFile(evaluator),
    evaluator_logs: [],
  };
}

/**
 * v5 `LogResponse` of a run: the `PromptLogResponse`, `FlowLogResponse` or `ToolLogResponse` of its
 * file, with the datapoint and evaluation run it was logged for, and its judgments.
 */
export function presentLog(run: Run, file: Project, judgments: ReturnType<typeof presentJudgment>[], evaluationRunId?: string) {
  const type = kindOf(file) as FileType;
  const input = isJsonObject(run.input) ? run.input : {};
  const output = run.output === null ? undefined : typeof run.output === 'string' ? run.output : JSON.stringify(run.output);
  return {
    ...run.extra,
    id: humanloopId('log', run.id),
    ...(isJsonObject(input.inputs) ? { inputs: input.inputs } : {}),
    ...(Array.isArray(input.messages) ? { messages: input.messages } : {}),
    ...(output === undefined ? {} : { output }),
    ...(run.error === null ? {} : { error: run.error }),
    ...(run.start_time === null ? {} : { start_time: run.start_time }),
    ...(run.end_time === null ? {} : { end_time: run.end_time }),
    created_at: run.created_at,
    metadata: run.metadata,
    ...(run.record_id === null ? {} : { source_datapoint_id: humanloopId('datapoint', run.record_id) }),
    ...(evaluationRunId === undefined ? {} : { run_id: humanloopId('evaluationRun', evaluationRunId) }),
    ...(run.prompt_tokens === null ? {} : { prompt_tokens: run.prompt_tokens }),
    ...(run.completion_tokens === null ? {} : { output_tokens: run.completion_tokens }),
    log_status: 'complete',
    evaluator_logs: judgments,
    [type]: presentFile(file),
  };
}
