// The library models, one JSON file per library and language, validated against schema.ts when loaded. A new
// library is a new file here and one line below (imports keep the files inside the build).
import { modelSchema, type Model } from './schema.js';
import awsSdkV3 from './javascript/aws-sdk-v3.json' with { type: 'json' };
import childProcess from './javascript/child-process.json' with { type: 'json' };
import dom from './javascript/dom.json' with { type: 'json' };
import electron from './javascript/electron.json' with { type: 'json' };
import execa from './javascript/execa.json' with { type: 'json' };
import expressCookies from './javascript/express-cookies.json' with { type: 'json' };
import fsExtra from './javascript/fs-extra.json' with { type: 'json' };
import fsPromises from './javascript/fs-promises.json' with { type: 'json' };
import httpCredentials from './javascript/http-credentials.json' with { type: 'json' };
import jquery from './javascript/jquery.json' with { type: 'json' };
import mkdirp from './javascript/mkdirp.json' with { type: 'json' };
import mongoose from './javascript/mongoose.json' with { type: 'json' };
import pgPromise from './javascript/pg-promise.json' with { type: 'json' };
import rimraf from './javascript/rimraf.json' with { type: 'json' };
import util from './javascript/util.json' with { type: 'json' };
import cloudSdks from './python/cloud-sdks.json' with { type: 'json' };
import pythonCookies from './python/cookies.json' with { type: 'json' };
import pythonHttpClients from './python/http-clients.json' with { type: 'json' };

/** Every model file, by name, as read (before validation). */
export const MODEL_FILES: Readonly<Record<string, unknown>> = {
  'javascript/aws-sdk-v3.json': awsSdkV3,
  'javascript/child-process.json': childProcess,
  'javascript/dom.json': dom,
  'javascript/electron.json': electron,
  'javascript/execa.json': execa,
  'javascript/express-cookies.json': expressCookies,
  'javascript/fs-extra.json': fsExtra,
  'javascript/fs-promises.json': fsPromises,
  'javascript/http-credentials.json': httpCredentials,
  'javascript/jquery.json': jquery,
  'javascript/mkdirp.json': mkdirp,
  'javascript/mongoose.json': mongoose,
  'javascript/pg-promise.json': pgPromise,
  'javascript/rimraf.json': rimraf,
  'javascript/util.json': util,
  'python/cloud-sdks.json': cloudSdks,
  'python/cookies.json': pythonCookies,
  'python/http-clients.json': pythonHttpClients,
};

function load(file: string, data: unknown): Model {
  const parsed = modelSchema.safeParse(data);
  if (!parsed.success) throw new Error(`guardian model ${file}: ${parsed.error.message}`);
  if (!file.startsWith(`${parsed.data.language}/`))
    throw new Error(`guardian model ${file}: language ${parsed.data.language} does not match its folder`);
  return parsed.data;
}

export const MODELS: readonly Model[] = Object.entries(MODEL_FILES).map(([file, data]) => load(file, data));
export const JAVASCRIPT_MODELS = MODELS.filter((model) => model.language === 'javascript');
export const PYTHON_MODELS = MODELS.filter((model) => model.language === 'python');
