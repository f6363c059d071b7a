import type { TSchema } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { ValidationError } from '../../domain/errors.js';
import { compileChecker } from '../../domain/validation.js';

/**
 * Bodies of several possible shapes (one datapoint, a list, log ids), which Humanloop's routes take
 * where one schema cannot say which was meant.
 */

/** A check of a body against the shape it has: one schema's faults say more than a union's. Faults are 422s naming the field. */
export function bodyChecker<T>(schema: TSchema): (body: unknown) => T {
  const check = compileChecker(schema);
  return (body) => {
    const issues = check(body).map((issue) => ({ ...issue, in: 'body' as const }));
    const first = issues[0];
    if (first) throw new ValidationError(`${first.pointer || '/'} ${first.detail}`, issues);
    return body as T;
  };
}

/** The items of a body that is one item or a list of them, each checked. */
export function itemsOf<T>(body: unknown, checkOne: (body: unknown) => T, checkList: (body: unknown) => T[]): T[] {
  return Array.isArray(body) ? checkList(body) : [checkOne(body)];
}

/**
 * Where a fault of the list a route made of such a body sits in the body (a route's `locate`, after
 * its service's list is restated as the body's root): `/3/…` in a list, the item itself when one was sent.
 */
export function inOneOrList(pointer: string, request: FastifyRequest): string {
  return Array.isArray(request.body) ? pointer : pointer.replace(/^\/0(?=\/|$)/, '');
}
