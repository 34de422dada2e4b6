// The format of a library model (models/<language>/<library>.json): which calls of a library are sinks,
// sources, sanitisers or flow summaries. `model.schema.json` is this schema as JSON Schema (model.test.ts
// keeps the two equal); docs/guardian.md describes the format.
import { z } from 'zod';

/**
 * The calls a model entry is about. JavaScript: `module` is what `require`/`import` names, and `functions` the
 * paths below what it exports (`readFile`, `promises.readFile`; `""` for the module itself, as in `mkdirp(p)`);
 * `globals` are names the page or runtime defines (`$`, `jQuery`, `window`) used instead of a module.
 * `methods` matches a method of any receiver, and `chained` a method called on what a matched call returns,
 * through other calls of the chain (`$(sel).find('a').append(x)`, `request.get(url).auth(u, p)`).
 * `constructors` matches `new X(…)` of a name exported by `module`. Python: `module` and `functions` form the
 * qualified name the imports give (`azure.keyvault.secrets` + `SecretClient`).
 */
export const calleeSchema = z
  .object({
    module: z.string().min(1).optional(),
    globals: z.array(z.string().min(1)).min(1).optional(),
    functions: z.array(z.string()).min(1).optional(),
    methods: z.array(z.string().min(1)).min(1).optional(),
    constructors: z.array(z.string().min(1)).min(1).optional(),
    chained: z.array(z.string().min(1)).min(1).optional(),
  })
  .strict()
  .refine((callee) => callee.functions || callee.methods || callee.constructors, {
    message: 'a callee needs functions, methods or constructors',
  });

/** A constant argument a call must have for the entry to apply (`.attr('href', x)`, `spawn('sh', ['-c', c])`). */
const conditionSchema = z.object({ argument: z.number().int().min(0), oneOf: z.array(z.string()).min(1) }).strict();

export const sinkSchema = z
  .object({
    /** the rule that reports it, e.g. `js.path-traversal` */
    rule: z.string().min(1),
    calls: calleeSchema,
    /** positional arguments that must not carry the data */
    arguments: z.array(z.number().int().min(0)).default([]),
    /** keyword arguments (Python) */
    keywords: z.array(z.string().min(1)).default([]),
    /** check this property of an object argument instead of the whole argument (`{ Statement: q }`) */
    property: z.string().min(1).optional(),
    when: conditionSchema.optional(),
    /**
     * `tainted` (default): data from a source (high), or a string of unknown origin built in place when
     * `reportUnknown` (medium); `constant`: a hard-coded string (credentials); `weak-random`: a value computed
     * from a non-cryptographic random generator (`Math.random()`, `random.random()`); `query-filter`: a
     * NoSQL filter that lets request data inject operators (JavaScript).
     */
    requires: z.enum(['tainted', 'constant', 'weak-random', 'query-filter']).default('tainted'),
    reportUnknown: z.boolean().default(false),
    message: z.string().min(1).optional(),
  })
  .strict()
  .refine((sink) => sink.arguments.length > 0 || sink.keywords.length > 0, {
    message: 'a sink names the arguments or keywords it checks',
  });

export const sourceSchema = z
  .object({
    /** expressions that read client data (`document.referrer`, `event.data` is given by `callback`) */
    members: z.array(z.string().min(1)).optional(),
    /** a parameter of a callback given to a call is client data (`addEventListener('message', (e) => …)`) */
    callback: z
      .object({
        calls: calleeSchema,
        when: conditionSchema.optional(),
        argument: z.number().int().min(0),
        parameter: z.number().int().min(0),
      })
      .strict()
      .optional(),
  })
  .strict();

export const summarySchema = z
  .object({
    calls: calleeSchema,
    /**
     * `propagate`: the result carries the data of the listed arguments; `sanitise`: the result is safe;
     * `wrapper`: the result is the function given as argument `argument`, wrapped (`util.promisify(cp.exec)`),
     * so calling it is calling that function.
     */
    kind: z.enum(['propagate', 'sanitise', 'wrapper']),
    arguments: z.array(z.number().int().min(0)).default([0]),
  })
  .strict();

export const modelSchema = z
  .object({
    $schema: z.string().optional(),
    library: z.string().min(1),
    language: z.enum(['javascript', 'python']),
    description: z.string().min(1),
    sources: z.array(sourceSchema).default([]),
    sinks: z.array(sinkSchema).default([]),
    summaries: z.array(summarySchema).default([]),
  })
  .strict();

export type Callee = z.infer<typeof calleeSchema>;
export type Sink = z.infer<typeof sinkSchema>;
export type Source = z.infer<typeof sourceSchema>;
export type Summary = z.infer<typeof summarySchema>;
export type Model = z.infer<typeof modelSchema>;
