import { describe, expect, it } from 'vitest';
import { sendArizeProblem } from '../../../src/surfaces/arize/problems.js';
import { normalizedError, presented } from '../../support/http.js';

const PROBLEM_TYPE = 'application/problem+json; charset=utf-8';
const ERRORS_PAGE = 'https://arize.com/docs/ax/rest-reference/errors';

const fault = (status: number, code = 'some_code') => normalizedError(status, code, `fault ${status}`);

describe("Arize's error presenter (sendArizeProblem)", () => {
  it("answers problem details with Arize's title and type, the path as instance, and evalstore's code", async () => {
    expect(await presented(sendArizeProblem, fault(404, 'not_found'), { url: '/arize/v2/datasets/RGF0YXNldDox?limit=5' })).toEqual({
      status: 404,
      type: PROBLEM_TYPE,
      body: {
        status: 404,
        title: 'Resource not found',
        type: `${ERRORS_PAGE}#resource-not-found`,
        detail: 'fault 404',
        instance: '/arize/v2/datasets/RGF0YXNldDox',
        error_code: 'not_found',
      },
    });
  });

  it('lists the fields at fault as `errors`', async () => {
    const issues = [{ pointer: '/examples/1/id', detail: 'names no example', in: 'body' as const }];
    const answer = await presented(sendArizeProblem, { ...fault(422, 'validation_failed'), issues });
    expect(answer.body).toMatchObject({ status: 422, title: 'Unprocessable Entity', type: `${ERRORS_PAGE}#unprocessable-entity`, errors: issues });
  });

  it("names each status as Arize's error page does, and others by their class", async () => {
    const expected: [number, string, string][] = [
      [400, 'Invalid request parameters', 'invalid-request'],
      [401, 'Authentication required', 'authentication-required'],
      [403, 'Access forbidden', 'access-forbidden'],
      [409, 'Resource conflict', 'resource-conflict'],
      [413, 'Payload too large', 'payload-too-large'],
      [415, 'Unsupported media type', 'invalid-request'],
      [429, 'Rate limit exceeded', 'rate-limit-exceeded'],
      [503, 'Service Unavailable', 'service-unavailable'],
      [500, 'Internal server error', 'internal-server-error'],
      [502, 'Internal server error', 'internal-server-error'],
      [418, 'Invalid request parameters', 'invalid-request'],
    ];
    for (const [status, title, fragment] of expected) {
      const answer = await presented(sendArizeProblem, fault(status));
      expect({ status: answer.status, title: answer.body.title, type: answer.body.type }, String(status)).toEqual({
        status,
        title,
        type: `${ERRORS_PAGE}#${fragment}`,
      });
    }
  });
});
