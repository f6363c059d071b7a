import type { FastifyRequest } from 'fastify';
import type { FieldIssue } from '../domain/errors.js';

/**
 * How a route's request differs from the input of the service it calls. Services point at their own
 * input (`/add/3/input`, `/runs/2/record_id`) and name things in their own words; a route declares
 * the translation once, in its config, and the central error handler applies it to the service's
 * faults, so that a client reads them in the terms of the request it sent.
 */
export interface Restatement {
  /** Pointer prefixes: where a list sits in the service's input, and where it sits in the request (`['/add', '/data/attributes/records']`). */
  lists?: readonly (readonly [service: string, request: string])[];
  /**
   * Field names: the service's, and the request's for the same value (`['record_id', 'example_id']`).
   * A field the request has no name for, because the request's item is that field's value, restates
   * as `''` (`['input', '']`: an Arize example row is the record's input, so `/add/3/input/q` is `/examples/3/q`).
   * A name may span segments, for a value that sits at another depth in the request
   * (`['record/input', 'inputs']`, `['metadata', 'extra/metadata']`).
   */
  fields?: readonly (readonly [service: string, request: string])[];
  /**
   * Query parameters a service's faults name (issues `in: 'query'`: a list's filters, the version it
   * reads), and the request's name for each (`['/version', '/dataset_version_id']`).
   */
  query?: readonly (readonly [service: string, request: string])[];
  /** Whole words of messages: the service's, and the surface's (`['Run', 'Log']`). */
  words?: readonly (readonly [service: string, request: string])[];
  /**
   * For bodies whose shape only the request tells (multipart parts, several accepted shapes): where a
   * service pointer, already translated by the rules above, sits in this request.
   */
  locate?: (pointer: string, request: FastifyRequest) => string;
}

/** What a surface says once for all its routes (see handleErrorsWith). */
export interface SurfaceTerms {
  /** Rules for every route of the surface, applied before a route's own. */
  restate?: Restatement;
  /**
   * The UUID an id of the surface names, or undefined when the text is no id of the surface: ids the
   * request sent (in its path, query or body) are then shown as sent wherever a message names their
   * UUID, since the surface's clients know them only so.
   */
  idOf?: (text: string) => string | undefined;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** How this route's request differs from the input of the service it calls (src/http/restate.ts). */
    restate?: Restatement;
  }
}

/** A service fault in the request's terms: pointers, field names, words and ids. */
export interface RestatedFault {
  message: string;
  issues: FieldIssue[];
}

/**
 * Restates the issues of a service fault (those with no `in`: faults found by request validation
 * already point into the request as sent; and those a service names as its query's, by `query`) and
 * the message that quotes them.
 */
export function restateFault(message: string, issues: readonly FieldIssue[], request: FastifyRequest, terms: SurfaceTerms = {}): RestatedFault {
  const rules = [terms.restate, request.routeOptions?.config?.restate].filter((rule): rule is Restatement => rule !== undefined);
  const ids = terms.idOf ? idsSent(request, terms.idOf) : new Map<string, string>();
  if (rules.length === 0 && ids.size === 0) return { message, issues: [...issues] };
  const say = (text: string) => restateWords(restateIds(text, ids), rules);
  let restatedMessage = message;
  const restated = issues.map((issue) => {
    const pointer =
      issue.in === undefined ? restatePointer(issue.pointer, rules, request) : issue.in === 'query' ? restateQuery(issue.pointer, rules) : issue.pointer;
    if (issue.pointer && pointer !== issue.pointer) restatedMessage = restatedMessage.split(issue.pointer).join(pointer);
    return { ...issue, pointer, detail: say(issue.detail) };
  });
  return { message: say(restatedMessage), issues: restated };
}

function restatePointer(pointer: string, rules: readonly Restatement[], request: FastifyRequest): string {
  let out = pointer;
  for (const rule of rules) {
    out = movePrefixes(out, rule.lists);
    for (const [service, wire] of rule.fields ?? []) out = out.replace(new RegExp(`/${escapeRegExp(service)}(?=/|$)`, 'g'), wire === '' ? '' : `/${wire}`);
    if (rule.locate) out = rule.locate(out, request);
  }
  return out;
}

function restateQuery(pointer: string, rules: readonly Restatement[]): string {
  return rules.reduce((out, rule) => movePrefixes(out, rule.query), pointer);
}

function movePrefixes(pointer: string, prefixes: Restatement['lists']): string {
  let out = pointer;
  for (const [service, wire] of prefixes ?? []) {
    if (out === service || out.startsWith(`${service}/`)) out = wire + out.slice(service.length);
  }
  return out;
}

function restateWords(text: string, rules: readonly Restatement[]): string {
  let out = text;
  for (const rule of rules) {
    for (const [service, wire] of rule.words ?? []) out = out.replace(new RegExp(`\\b${escapeRegExp(service)}\\b`, 'g'), wire);
  }
  return out;
}

function restateIds(text: string, ids: ReadonlyMap<string, string>): string {
  let out = text;
  for (const [uuid, sent] of ids) out = out.split(uuid).join(sent);
  return out;
}

/** Enough of a body to find the ids a client sent in it, without walking a bulk upload whole. */
const MAX_STRINGS_READ = 2_000;

/** The ids of the surface the request sent, by the UUID each names. */
function idsSent(request: FastifyRequest, idOf: (text: string) => string | undefined): Map<string, string> {
  const ids = new Map<string, string>();
  let budget = MAX_STRINGS_READ;
  const visit = (value: unknown, depth: number): void => {
    if (budget <= 0 || depth > 6) return;
    if (typeof value === 'string') {
      budget -= 1;
      const uuid = idOf(value);
      if (uuid !== undefined && uuid !== value && !ids.has(uuid)) ids.set(uuid, value);
    } else if (Array.isArray(value)) {
      for (const item of value) visit(item, depth + 1);
    } else if (isPlainObject(value)) {
      for (const item of Object.values(value)) visit(item, depth + 1);
    }
  };
  visit(request.params, 0);
  visit(request.query, 0);
  visit(request.body, 0);
  return ids;
}

/**
 * Objects parsed from JSON or a query string, not streams or buffers. Fastify's params and query are
 * made without Object's prototype (as null-prototype objects, or instances of a class whose
 * prototype has none).
 */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null || Object.getPrototypeOf(prototype) === null;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
