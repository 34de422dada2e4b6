import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { analyzeCode } from '../analyze.js';
import { GUARDIAN_RULES } from '../rules.js';
import { MODEL_FILES, MODELS } from './index.js';
import { modelSchema } from './schema.js';

const here = import.meta.dirname;
const corpus = path.join(here, '../../../../bench/guardian-corpus');

describe('guardian library models', () => {
  it('loads every JSON file of the models folders, each valid against the schema', () => {
    const onDisk = ['javascript', 'python'].flatMap((language) =>
      readdirSync(path.join(here, language))
        .filter((file) => file.endsWith('.json'))
        .map((file) => `${language}/${file}`),
    );
    assert.deepEqual(Object.keys(MODEL_FILES).sort(), onDisk.sort());
    assert.equal(MODELS.length, onDisk.length);
  });

  it('keeps model.schema.json equal to the schema the loader validates with', () => {
    const committed: unknown = JSON.parse(readFileSync(path.join(here, 'model.schema.json'), 'utf8'));
    assert.deepEqual(committed, z.toJSONSchema(modelSchema, { io: 'input' }));
  });

  it('refuses a model that misspells a field or names no argument', () => {
    const base = { library: 'x', language: 'javascript', description: 'x' };
    assert.equal(
      modelSchema.safeParse({ ...base, sinks: [{ rule: 'js.xss', calls: { methods: ['a'] } }] }).success,
      false,
    );
    assert.equal(modelSchema.safeParse({ ...base, sink: [] }).success, false);
    assert.equal(
      modelSchema.safeParse({ ...base, sinks: [{ rule: 'js.xss', calls: { methods: ['a'] }, arguments: [0] }] })
        .success,
      true,
    );
  });

  it('names only rules of its own language', () => {
    for (const model of MODELS)
      for (const sink of model.sinks) {
        const rule = GUARDIAN_RULES.find((candidate) => candidate.id === sink.rule);
        assert.ok(rule, `${model.library}: unknown rule ${sink.rule}`);
        assert.ok(
          rule.languages.includes(model.language === 'python' ? 'python' : 'javascript'),
          `${model.library}: ${sink.rule} is not a ${model.language} rule`,
        );
      }
  });

  it('has a vulnerable and a safe corpus snippet for every model file, judged as labelled', async () => {
    const snippets = readdirSync(corpus, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => path.join(entry.parentPath, entry.name))
      .map((file) => ({ file, code: readFileSync(file, 'utf8') }));
    for (const model of Object.keys(MODEL_FILES)) {
      const pair = snippets.filter(({ code }) => code.split('\n')[1]?.match(/model:\s*(\S+)/)?.[1] === model);
      for (const label of ['vulnerable', 'safe']) {
        const snippet = pair.find(({ code }) => code.includes(`expect: ${label} `));
        assert.ok(snippet, `${model}: no ${label} snippet in the corpus`);
        const cls = /expect:\s*\w+\s+(\w+)/.exec(snippet.code)![1];
        const findings = await analyzeCode({ code: snippet.code, filePath: snippet.file }, GUARDIAN_RULES);
        const reported = findings.some((finding) => finding.issue_type === cls);
        assert.equal(reported, label === 'vulnerable', `${path.relative(corpus, snippet.file)}: ${cls}`);
      }
    }
  });
});

describe('guardian library models: the sinks, sources and wrappers they define', () => {
  const summary = async (code: string, filePath: string) =>
    (await analyzeCode({ code, filePath }, GUARDIAN_RULES)).map((f) => `${f.rule_id}@${f.line}:${f.confidence}`);

  it('finds fs-like libraries, promisified exec, execa, pg-promise, Mongoose, credentials, weak cookies and Electron', async () => {
    assert.deepEqual(
      await summary(
        `const express = require('express');
const fse = require('fs-extra');
const mkdirp = require('mkdirp');
const { rimraf } = require('rimraf');
const fsp = require('fs/promises');
const util = require('util');
const cp = require('child_process');
const run = util.promisify(cp.exec);
const { execaCommand, $ } = require('execa');
const pgp = require('pg-promise')();
const db = pgp('postgres://x');
const User = require('./user');
const request = require('request');
const { shell } = require('electron');
const app = express();
app.get('/a', async (req, res) => {
  const name = req.query.name;
  await fse.outputFile('/tmp/' + name, 'x');
  mkdirp.sync(req.query.dir);
  await rimraf(req.body.path);
  await fsp.readFile(name);
  await run('ls ' + name);
  await execaCommand('ls ' + name);
  await $\`\${name}\`;
  const row = await db.one('SELECT * FROM u WHERE n = ' + name);
  await User.findOneAndRemove({ name: req.body.name });
  await User.findOneAndRemove({ name: String(req.body.name) });
  request.get('http://x').auth('admin', 's3cretPassw0rd');
  res.cookie('remember', String(Math.random()));
  shell.openExternal(req.query.url);
  res.send('ok');
});
app.use(require('cookie-session')({ secret: 'keyboard-cat-secret-123' }));
`,
        'server.js',
      ),
      [
        'js.path-traversal@18:high',
        'js.path-traversal@19:high',
        'js.path-traversal@20:high',
        'js.path-traversal@21:high',
        'js.command-injection@22:high',
        'js.command-injection@23:high',
        'js.command-injection@24:high',
        'js.sql-injection@25:high',
        'js.nosql-injection@26:high',
        'js.hard-coded-secret-key@28:high',
        'js.insecure-transport@28:high',
        'js.insecure-randomness@29:high',
        'js.open-redirect@30:high',
        'js.hard-coded-secret-key@33:high',
      ],
    );
  });

  it('follows jQuery sinks, URL attributes only, client-side sources and message data through a helper', async () => {
    assert.deepEqual(
      await summary(
        `$(location.hash);
$('#out').append(decodeURIComponent(location.hash.slice(1)));
$('#link').attr('href', document.referrer);
$('#link').attr('title', document.referrer);
window.addEventListener('message', (event) => {
  document.getElementById('x').innerHTML = event.data;
  $('#y').html(event.data);
});
function chop(s) { return s.substring(1); }
$('#z').html(chop(location.search));
`,
        'page.js',
      ),
      ['js.xss@1:high', 'js.xss@2:high', 'js.xss@3:high', 'js.xss@6:high', 'js.xss@7:high', 'js.xss@10:high'],
    );
  });

  it('reads the statement of an AWS SDK v3 command, not its parameters', async () => {
    assert.deepEqual(
      await summary(
        `import { DynamoDBClient, ExecuteStatementCommand } from '@aws-sdk/client-dynamodb';
import express from 'express';
const client = new DynamoDBClient({});
const app = express();
app.get('/q', async (req, res) => {
  const out = await client.send(new ExecuteStatementCommand({ Statement: \`SELECT * FROM t WHERE id = '\${req.query.id}'\` }));
  const ok = await client.send(new ExecuteStatementCommand({ Statement: 'SELECT * FROM t WHERE id = ?', Parameters: [{ S: String(req.query.id) }] }));
  res.json(out);
});
`,
        'dynamo.ts',
      ),
      ['js.sql-injection@6:high'],
    );
  });

  it('finds Python SDK clients given request URLs (also through an instance) and random cookie values', async () => {
    assert.deepEqual(
      await summary(
        `import random
from flask import Flask, request, make_response
from azure.keyvault.secrets import SecretClient
import httplib2

app = Flask(__name__)

@app.route("/v")
def v():
    url = request.args.get("vault")
    client = SecretClient(vault_url=url, credential=None)
    h = httplib2.Http()
    h.request(request.args["u"])
    resp = make_response("ok")
    resp.set_cookie("remember", str(random.normalvariate(0, 1)))
    return resp
`,
        'clients.py',
      ),
      ['py.ssrf@11:high', 'py.ssrf@13:high', 'py.insecure-random@15:high'],
    );
  });
});
