import { describe, expect, it } from 'vitest';
import { locOf, mergeByLoc, type FastApiValidationItem } from '../../src/http/fastapi.js';

describe('locOf', () => {
  it("names the part of the request as FastAPI does, then the pointer's segments, indexes as numbers", () => {
    expect(locOf({ pointer: '/results/3/start_time', detail: 'x', in: 'body' })).toEqual(['body', 'results', 3, 'start_time']);
    expect(locOf({ pointer: '/limit', detail: 'x', in: 'query' })).toEqual(['query', 'limit']);
    expect(locOf({ pointer: '/dataset_id', detail: 'x', in: 'params' })).toEqual(['path', 'dataset_id']);
    expect(locOf({ pointer: '/x-api-key', detail: 'x', in: 'headers' })).toEqual(['header', 'x-api-key']);
    expect(locOf({ pointer: '/input', detail: 'x', in: 'line', line: 4 })).toEqual(['body', 'input']);
    expect(locOf({ pointer: '/runs/0', detail: 'x' })).toEqual(['body', 'runs', 0]);
    expect(locOf({ pointer: '', detail: 'x', in: 'body' })).toEqual(['body']);
  });

  it('unescapes the segments of the pointer', () => {
    expect(locOf({ pointer: '/metadata/a~1b/c~0d/~01', detail: 'x' })).toEqual(['body', 'metadata', 'a/b', 'c~d', '~1']);
  });

  it('translates the segments with the given locator before numbering them', () => {
    const intoResults = (segments: string[]) => (segments[0] === 'runs' ? ['results', ...segments.slice(1)] : segments);
    expect(locOf({ pointer: '/runs/2/record_id', detail: 'x' }, intoResults)).toEqual(['body', 'results', 2, 'record_id']);
    expect(locOf({ pointer: '/name', detail: 'x' }, () => ['parts', '7', 1])).toEqual(['body', 'parts', 7, 1]);
  });
});

describe('mergeByLoc', () => {
  const item = (loc: (string | number)[], msg: string, type = 'value_error'): FastApiValidationItem => ({ loc, msg, type });

  it("merges what a value of several shapes fails into one item per place, dropping anyOf's own complaint", () => {
    const merged = mergeByLoc([
      item(['body', 'name'], 'must be string', 'string_type'),
      item(['body', 'name'], 'must be null', 'none_required'),
      item(['body', 'name'], 'must match a schema in anyOf'),
      item(['body', 'name'], 'must be string', 'string_type'),
      item(['body', 'limit'], 'must be integer'),
    ]);
    expect(merged).toEqual([item(['body', 'name'], 'must be string, or must be null', 'string_type'), item(['body', 'limit'], 'must be integer')]);
  });

  it('lets a fault inside a value stand alone rather than the value failing its other shapes', () => {
    const merged = mergeByLoc([
      item(['body', 'examples', 0], 'must be null'),
      item(['body', 'examples', 0, 'inputs'], 'Field required', 'missing'),
      item(['body', 'examples', 1], 'must be object'),
    ]);
    expect(merged).toEqual([item(['body', 'examples', 0, 'inputs'], 'Field required', 'missing'), item(['body', 'examples', 1], 'must be object')]);
  });

  it('joins with the separator given, and keeps the first item when nothing else is left', () => {
    expect(mergeByLoc([item(['body', 'a'], 'one'), item(['body', 'a'], 'two')], '; or ')).toEqual([item(['body', 'a'], 'one; or two')]);
    const onlyAnyOf = [item(['body', 'a'], 'must match a schema in anyOf'), item(['body', 'b'], 'must match a schema in anyOf')];
    expect(mergeByLoc(onlyAnyOf)).toEqual([onlyAnyOf[0]]);
    expect(mergeByLoc([])).toEqual([]);
  });

  it('leaves the items it was given as they were', () => {
    const items = [item(['body', 'a'], 'one'), item(['body', 'a'], 'two')];
    mergeByLoc(items);
    expect(items).toEqual([item(['body', 'a'], 'one'), item(['body', 'a'], 'two')]);
  });
});
