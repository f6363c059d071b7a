import { isJsonObject, type Json, type JsonObject } from '../../domain/json.js';
import type { DatasetRecord, Run } from '../../domain/types.js';
import type { ChangeOptions, NewRecord } from '../../services/records.js';
import type { DatapointInput } from './schemas.js';

/**
 * Humanloop datapoints and evalstore records (docs/surfaces/humanloop.md has the table).
 *
 * A datapoint is `inputs` (string values), `messages` (a chat) and `target` (an object). The record's
 * `input` is an object holding exactly the first two as the datapoint has them, `{"inputs": {...},
 * "messages": [...]}`, and its `expected_output` is the target (null when there is none); every other
 * field of the record stays empty. So a datapoint reads back exactly as written, absent fields
 * included, and two datapoints are the same exactly when their records have the same input and
 * expected output (the records' `example` identity, which Humanloop's de-duplication needs).
 *
 * A record written another way (the native API, another surface) reads as the datapoint it is most
 * like: an input of that shape as is; any other object input as `inputs`, values that are not strings
 * as their JSON text (so also inside an input of that shape); any other input as `{"input": <it, as text>}`; an expected output that is not
 * an object as the target `{"output": <it>}`.
 */

/** How datapoints are added, by either API: a datapoint the same as one already there (inputs, messages and target) is not added twice. */
export const DATAPOINT_ADDITION: ChangeOptions = { deduplicate: true, identity: 'example' };

/** The fields of a datapoint, as Humanloop's responses carry them (absent when the datapoint has none). */
export interface DatapointFields {
  inputs?: Record<string, string>;
  messages?: Json[];
  target?: JsonObject;
}

export function recordOfDatapoint(datapoint: DatapointInput | DatapointFields): NewRecord {
  return { input: logInput(datapoint), expected_output: datapoint.target ?? null };
}

export function datapointFields(record: Pick<DatasetRecord, 'input' | 'expected_output'>): DatapointFields {
  const fields: DatapointFields = {};
  if (isDatapointInput(record.input)) {
    if (record.input.inputs !== undefined) fields.inputs = stringValues(record.input.inputs);
    if (record.input.messages !== undefined) fields.messages = record.input.messages as Json[];
  } else {
    fields.inputs = asInputs(record.input);
  }
  if (record.expected_output !== null) fields.target = asTarget(record.expected_output);
  return fields;
}

/**
 * A datapoint made from a log (a run): its inputs and messages, and its output as the target. Inputs
 * that are not strings (logs take any) become their JSON text, as datapoint inputs are strings.
 */
export function datapointOfLog(run: Run): NewRecord {
  const { inputs, messages } = datapointFields({ input: run.input, expected_output: null });
  return recordOfDatapoint({ inputs, messages, ...(run.output === null ? {} : { target: asTarget(run.output) }) });
}

/** The input a log (a run) keeps: the datapoint-shaped object of its inputs and messages, as given. */
export function logInput(log: { inputs?: JsonObject | null; messages?: Json[] | null }): JsonObject {
  const input: JsonObject = {};
  if (log.inputs !== undefined && log.inputs !== null) input.inputs = log.inputs;
  if (log.messages !== undefined && log.messages !== null) input.messages = log.messages;
  return input;
}

function isDatapointInput(input: Json): input is { inputs?: JsonObject; messages?: Json[] } {
  if (!isJsonObject(input)) return false;
  const { inputs, messages, ...rest } = input;
  return Object.keys(rest).length === 0 && (inputs === undefined || isJsonObject(inputs)) && (messages === undefined || Array.isArray(messages));
}

function asInputs(input: Json): Record<string, string> {
  return isJsonObject(input) ? stringValues(input) : { input: typeof input === 'string' ? input : JSON.stringify(input) };
}

function stringValues(values: JsonObject): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([key, value]) => [key, typeof value === 'string' ? value : JSON.stringify(value)]));
}

function asTarget(value: Json): JsonObject {
  return isJsonObject(value) ? value : { output: value };
}
