import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { codeNamesOf } from './code-names.js';

describe('code names', () => {
  it('keeps an entity its own name when nothing else holds it', () => {
    assert.deepEqual(codeNamesOf(['BlogPost', 'tag']), [
      { type: 'BlogPost', variable: 'blogPost' },
      { type: 'Tag', variable: 'tag' },
    ]);
  });

  it('renames in the code only what the generated code already binds, or a keyword', () => {
    assert.deepEqual(codeNamesOf(['Reply', 'Item', 'Case', 'Request', 'Page']), [
      { type: 'Reply', variable: 'replyRecord' },
      { type: 'ItemRecord', variable: 'itemRecord' },
      { type: 'Case', variable: 'caseRecord' },
      { type: 'RequestRecord', variable: 'requestRecord' },
      { type: 'PageRecord', variable: 'pageRecord' },
    ]);
  });

  it('never gives two entities a type name, or a name made from one, alike', () => {
    const names = codeNamesOf(['Item', 'ItemRecord', 'Post', 'PostInput', 'Row']);
    const types = names.map((name) => name.type);
    assert.equal(new Set(types).size, types.length);
    const derived = types.flatMap((type) => ['', 'Input', 'Update', 'List'].map((suffix) => `${type}${suffix}`));
    assert.equal(new Set(derived).size, derived.length, derived.join(' '));
    assert.equal(names[2]!.type, 'Post');
  });
});
