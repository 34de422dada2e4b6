import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { and, eq, inArray } from 'drizzle-orm';
import { learningEvents, proposals, proposalTransitions } from '../src/db/schema.js';
import type { DomainEvent } from '../src/events/bus.js';
import { createTestApp, type TestApp } from './support/app.js';
import { databaseTargets } from './support/database.js';

const seedProposal = (suffix: string) => ({
  ai_type: 'imperium',
  file_path: `src/util-${suffix}.js`,
  code_before: 'function add(a, b) {\n  return a + b;\n}\n\nif (list.indexOf(x) !== -1) run();\n',
  code_after: 'function add(a, b) {\n  return a + b;\n}\n\nif (list.includes(x)) run();\n',
  description: 'Use includes',
});

for (const target of databaseTargets()) {
  describe(`free-standing proposals on ${target}`, () => {
    let t: TestApp;
    let writer: string;
    let reader: string;
    const events: DomainEvent[] = [];
    before(async () => {
      t = await createTestApp(target);
      t.app.services.events.subscribe((event) => events.push(event));
      writer = await t.createKey(['proposals:write', 'proposals:read']);
      reader = await t.createKey(['proposals:read']);
    });
    after(() => t.close());

    const create = (payload: Record<string, unknown>, key = writer) =>
      t.request({ method: 'POST', url: '/proposals/', key, payload });

    it('creates a proposal with the seed contract and stores its diff and hashes', async () => {
      const response = await create(seedProposal('a'));
      assert.equal(response.statusCode, 201, response.body);
      const body = response.json();
      assert.equal(body.status, 'pending');
      assert.equal(body.ai_type, 'imperium');
      assert.equal(body.file_path, 'src/util-a.js');
      assert.equal(body.code_after, seedProposal('a').code_after);
      assert.equal(body.hunks, 1);
      assert.equal(body.additions, 1);
      assert.equal(body.deletions, 1);
      assert.match(body.diff, /^--- a\/src\/util-a\.js\n\+\+\+ b\/src\/util-a\.js\n@@ -2,4 \+2,4 @@/m);
      assert.match(body.diff, /^-if \(list\.indexOf\(x\) !== -1\) run\(\);$/m);
      assert.deepEqual(
        body.history.map((entry: { from: string | null; to: string }) => [entry.from, entry.to]),
        [[null, 'pending']],
      );
      const [stored] = await t.database.orm.select().from(proposals).where(eq(proposals.id, body.id));
      assert.equal(stored?.changes[0]?.after_sha256.length, 64);
      assert.equal(stored?.contentHash, body.content_hash);
      assert.ok(events.some((event) => event.type === 'proposal.created' && event.data.id === body.id));
    });

    it('takes several files in `changes`', async () => {
      const response = await create({
        ai_type: 'guardian',
        changes: [
          { file_path: 'a.py', code_before: 'x = 1\n', code_after: 'x = 2\n' },
          { file_path: 'b.py', code_before: 'y = 1\n', code_after: 'y = 1\n' },
          { file_path: 'c.py', code_before: 'z = 1\n', code_after: 'z = 3\n' },
        ],
      });
      assert.equal(response.statusCode, 201, response.body);
      assert.deepEqual(
        response.json().changes.map((change: { file_path: string }) => change.file_path),
        ['a.py', 'c.py'],
      );
    });

    it('refuses duplicates with the existing id, no-ops, unknown agents, unsafe paths and bad shapes', async () => {
      const first = (await create(seedProposal('dup'))).json();
      const duplicate = await create(seedProposal('dup'));
      assert.equal(duplicate.statusCode, 409);
      assert.equal(duplicate.json().code, 'duplicate');
      assert.equal(duplicate.json().existing_id, first.id);

      const noOp = await create({ ai_type: 'imperium', file_path: 'x.js', code_before: 'a', code_after: 'a' });
      assert.equal(noOp.statusCode, 422);
      assert.equal(noOp.json().code, 'no_op');

      const unknown = await create({ ...seedProposal('u'), ai_type: 'skynet' });
      assert.equal(unknown.statusCode, 422);
      assert.equal(unknown.json().code, 'unknown_ai_type');
      assert.equal(unknown.json().errors[0].field, 'body.ai_type');

      for (const file_path of ['../../etc/passwd', '/etc/passwd', '.git/config', 'a\u0000b']) {
        const unsafe = await create({ ...seedProposal('s'), file_path });
        assert.equal(unsafe.statusCode, 400, `${file_path}: ${unsafe.body}`);
        // NUL is refused for every field before any route runs (docs/problems.md), the rest by the resolver
        assert.equal(unsafe.json().code, file_path.includes('\u0000') ? 'validation_failed' : 'unsafe_path');
      }

      const mixed = await create({ ...seedProposal('m'), patch: '--- a/x\n+++ b/x\n' });
      assert.equal(mixed.statusCode, 400);
      assert.equal(mixed.json().code, 'validation_failed');

      const patchWithoutRepository = await create({
        ai_type: 'imperium',
        patch: '--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n',
      });
      assert.equal(patchWithoutRepository.statusCode, 400);
      assert.equal(patchWithoutRepository.json().code, 'repository_required');

      const huge = await create({
        ai_type: 'imperium',
        file_path: 'big.txt',
        code_before: '',
        code_after: 'x'.repeat(1_100_000),
      });
      assert.equal(huge.statusCode, 413);
      assert.equal(huge.json().code, 'proposal_too_large');
      // the limit is 512 KiB for each version of a file, as documented: a 600 KiB new file is too large
      // (before + after would be under 1 MiB), a 500 KiB one with a 500 KiB original is not
      const overOneSide = await create({
        ai_type: 'imperium',
        file_path: 'big.txt',
        code_before: '',
        code_after: 'y'.repeat(600 * 1024),
      });
      assert.equal(overOneSide.statusCode, 413, overOneSide.body);
      assert.match(overOneSide.json().detail, /code_after of big\.txt is 614400 bytes; .*512 KiB before and after/);
      assert.equal(overOneSide.json().file_path, 'big.txt');
      const withinEach = await create({
        ai_type: 'imperium',
        file_path: 'big-but-fine.txt',
        code_before: 'a'.repeat(500 * 1024),
        code_after: 'b'.repeat(500 * 1024),
      });
      assert.equal(withinEach.statusCode, 201, withinEach.body.slice(0, 500));

      const count = await t.database.orm
        .select({ id: proposals.id })
        .from(proposals)
        .where(eq(proposals.filePath, 'big.txt'));
      assert.equal(count.length, 0);
    });

    it('lists with filters, sorting, paging and X-Total-Count, without file contents', async () => {
      const response = await t.request({ method: 'GET', url: '/proposals/?ai_type=imperium&limit=2', key: reader });
      assert.equal(response.statusCode, 200);
      const total = Number(response.headers['x-total-count']);
      assert.ok(total >= 2);
      const rows = response.json();
      assert.equal(rows.length, 2);
      assert.ok(rows.every((row: { ai_type: string }) => row.ai_type === 'imperium'));
      assert.ok(!('code_before' in rows[0]));
      assert.ok(rows[0].created_at >= rows[1].created_at);
      const skipped = await t.request({
        method: 'GET',
        url: `/proposals/?ai_type=imperium&limit=2&skip=${total - 1}`,
        key: reader,
      });
      assert.equal(skipped.json().length, 1);
      const bad = await t.request({ method: 'GET', url: '/proposals/?status=nonsense', key: reader });
      assert.equal(bad.statusCode, 400);
      assert.equal(bad.json().errors[0].field, 'querystring.status');
      const tooMany = await t.request({ method: 'GET', url: '/proposals/?limit=501', key: reader });
      assert.equal(tooMany.statusCode, 400);
      const guardian = await t.request({
        method: 'GET',
        url: '/proposals/?ai_type=guardian&status=pending,accepted',
        key: reader,
      });
      assert.equal(guardian.json().length, 1);
    });

    it('accepts and rejects with reasons, refusing illegal transitions with 409 naming the state', async () => {
      const proposal = (await create(seedProposal('review'))).json();
      const accepted = await t.request({
        method: 'POST',
        url: `/proposals/${proposal.id}/accept`,
        key: writer,
        payload: { reason: 'valuable', note: 'nice' },
      });
      assert.equal(accepted.statusCode, 200, accepted.body);
      assert.equal(accepted.json().status, 'accepted');
      assert.equal(accepted.json().review.reason, 'valuable');
      const again = await t.request({
        method: 'POST',
        url: `/proposals/${proposal.id}/reject`,
        key: writer,
        payload: { reason: 'incorrect' },
      });
      assert.equal(again.statusCode, 409);
      assert.equal(again.json().code, 'illegal_transition');
      assert.equal(again.json().current_status, 'accepted');
      const badReason = await t.request({
        method: 'POST',
        url: `/proposals/${proposal.id}/reject`,
        key: writer,
        payload: { reason: 'because' },
      });
      assert.equal(badReason.statusCode, 400);
      const readerTry = await t.request({
        method: 'POST',
        url: `/proposals/${proposal.id}/reject`,
        key: reader,
        payload: { reason: 'incorrect' },
      });
      assert.equal(readerTry.statusCode, 403);
      const missing = await t.request({
        method: 'POST',
        url: '/proposals/00000000-0000-4000-8000-000000000000/accept',
        key: writer,
        payload: { reason: 'correct' },
      });
      assert.equal(missing.statusCode, 404);
      assert.equal(missing.json().code, 'proposal_not_found');
      const detail = await t.request({ method: 'GET', url: `/proposals/${proposal.id}`, key: reader });
      assert.deepEqual(
        detail
          .json()
          .history.map((entry: { from: string | null; to: string; reason: string | null }) => [
            entry.from,
            entry.to,
            entry.reason,
          ]),
        [
          [null, 'pending', null],
          ['pending', 'accepted', 'valuable'],
        ],
      );
    });

    it('takes seed-style verdicts with no body: the reason is recorded as unspecified', async () => {
      const accepted = (await create(seedProposal('no-body-accept'))).json();
      const rejected = (await create(seedProposal('no-body-reject'))).json();
      const emptyObject = (await create(seedProposal('empty-object'))).json();
      const jsonNull = (await create(seedProposal('json-null'))).json();
      const emptyJson = (await create(seedProposal('empty-json'))).json();
      const responses = [
        await t.request({ method: 'POST', url: `/proposals/${accepted.id}/accept`, key: writer }),
        await t.request({ method: 'POST', url: `/proposals/${rejected.id}/reject`, key: writer }),
        await t.request({ method: 'POST', url: `/proposals/${emptyObject.id}/reject`, key: writer, payload: {} }),
        await t.request({
          method: 'POST',
          url: `/proposals/${jsonNull.id}/accept`,
          key: writer,
          headers: { 'content-type': 'application/json' },
          payload: 'null',
        }),
        // a client that labels an empty body as JSON
        await t.request({
          method: 'POST',
          url: `/proposals/${emptyJson.id}/reject`,
          key: writer,
          headers: { 'content-type': 'application/json' },
          payload: '',
        }),
      ];
      for (const response of responses) {
        assert.equal(response.statusCode, 200, response.body);
        assert.equal(response.json().review.reason, null);
      }
      assert.deepEqual(
        responses.map((response) => response.json().status),
        ['accepted', 'rejected', 'rejected', 'accepted', 'rejected'],
      );
      const [transition] = await t.database.orm
        .select()
        .from(proposalTransitions)
        .where(and(eq(proposalTransitions.proposalId, rejected.id), eq(proposalTransitions.toStatus, 'rejected')));
      assert.equal(transition?.reason, null);
      const [stored] = await t.database.orm.select().from(proposals).where(eq(proposals.id, accepted.id));
      assert.equal(stored?.reviewReason, null);
      // the learning signal stores no reason (null, never an empty string) and counts it as unspecified
      const verdicts = await t.database.orm
        .select()
        .from(learningEvents)
        .where(inArray(learningEvents.proposalId, [accepted.id, rejected.id]));
      assert.deepEqual(verdicts.map((event) => [event.outcome, event.reason]).sort(), [
        ['accepted', null],
        ['rejected', null],
      ]);
      const insights = await t.request({ method: 'GET', url: '/learning/insights', key: t.adminKey });
      assert.equal(insights.statusCode, 200, insights.body);
      assert.ok(
        insights
          .json()
          .reject_reasons.some((entry: { reason: string; count: number }) => entry.reason === 'unspecified'),
        insights.body,
      );
      // a reason that is given must still be one of the known ones
      const bad = await t.request({
        method: 'POST',
        url: `/proposals/${(await create(seedProposal('bad-reason'))).json().id}/accept`,
        key: writer,
        payload: { reason: '' },
      });
      assert.equal(bad.statusCode, 400);
      assert.equal(bad.json().errors[0].field, 'body.reason');
    });

    it('lets exactly one of 50 parallel verdicts win', async () => {
      const proposal = (await create(seedProposal('race'))).json();
      const responses = await Promise.all(
        Array.from({ length: 50 }, (_, index) =>
          t.request({
            method: 'POST',
            url: `/proposals/${proposal.id}/${index % 2 === 0 ? 'accept' : 'reject'}`,
            key: writer,
            payload: { reason: index % 2 === 0 ? 'correct' : 'incorrect' },
          }),
        ),
      );
      const codes = responses.map((response) => response.statusCode);
      assert.equal(codes.filter((code) => code === 200).length, 1, codes.join(','));
      assert.equal(codes.filter((code) => code === 409).length, 49);
      const history = await t.database.orm
        .select()
        .from(proposalTransitions)
        .where(eq(proposalTransitions.proposalId, proposal.id));
      assert.equal(history.filter((entry) => entry.fromStatus === 'pending').length, 1);
      assert.equal(history.length, 2);
    });

    it('reviews a batch with a per-id outcome', async () => {
      const first = (await create(seedProposal('batch-1'))).json();
      const second = (await create(seedProposal('batch-2'))).json();
      await t.request({
        method: 'POST',
        url: `/proposals/${second.id}/reject`,
        key: writer,
        payload: { reason: 'style' },
      });
      const missing = '00000000-0000-4000-8000-000000000001';
      const response = await t.request({
        method: 'POST',
        url: '/api/v1/proposals/batch-review',
        key: writer,
        payload: { ids: [first.id, second.id, missing], verdict: 'accept', reason: 'correct' },
      });
      assert.equal(response.statusCode, 200, response.body);
      assert.deepEqual(
        response
          .json()
          .results.map((result: { id: string; outcome: string; status: string | null }) => [
            result.id,
            result.outcome,
            result.status,
          ]),
        [
          [first.id, 'accepted', 'accepted'],
          [second.id, 'conflict', 'rejected'],
          [missing, 'not_found', null],
        ],
      );
      const [stored] = await t.database.orm.select().from(proposals).where(eq(proposals.id, first.id));
      assert.equal(stored?.status, 'accepted');
      assert.equal(stored?.reviewReason, 'correct');
      const repeated = await t.request({
        method: 'POST',
        url: '/api/v1/proposals/batch-review',
        key: writer,
        payload: { ids: [first.id, first.id], verdict: 'reject', reason: 'other' },
      });
      assert.equal(repeated.statusCode, 400);
    });
  });
}
