import swagger, { type SwaggerTransformObject } from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { OpenAPIV3 } from 'openapi-types';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { problemSchema } from '../problem.js';
import type { AuthRequirement } from '../types.js';

const problemJsonSchema = z.toJSONSchema(problemSchema, { target: 'openapi-3.0' });

function describeRequirement(requirement: AuthRequirement | undefined) {
  const effective = requirement ?? { scope: 'admin' as const };
  if (effective === 'public') return { security: [], note: 'Public: no credential needed.' };
  if (effective === 'authenticated') return { security: [{ bearerAuth: [] }], note: 'Any valid credential.' };
  return { security: [{ bearerAuth: [] }], note: `Needs the \`${effective.scope}\` scope.` };
}

/**
 * Component schemas come in the order their modules were first imported, which the routes, loaded by
 * autoload when the app is built, leave to whatever the process imported before; sorted by name, the
 * document depends on the code alone (`docs/openapi.json` is compared byte for byte).
 */
const sortedComponents: SwaggerTransformObject = (input) => {
  const document = jsonSchemaTransformObject(input) as Partial<OpenAPIV3.Document>;
  if (!document.components?.schemas) return document;
  const schemas = Object.entries(document.components.schemas).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return { ...document, components: { ...document.components, schemas: Object.fromEntries(schemas) } };
};

/**
 * The OpenAPI document is generated from the route schemas (zod → JSON Schema). Each operation also gets
 * its security requirement from the route's `auth` config and the problem+json error responses every
 * route can give, so the document states what the server enforces.
 */
async function openapi(app: FastifyInstance) {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'lvlup API',
        description:
          'Self-hosted backend that runs AI agents over code repositories and keeps humans in charge. ' +
          'Authenticate with `Authorization: Bearer <api key or access token>`. Errors are RFC 9457 ' +
          '`application/problem+json` documents.',
        version: app.services.version,
      },
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', description: 'An API key (lvl_…) or an access token' },
        },
      },
      security: [{ bearerAuth: [] }],
    },
    transform: (input) => {
      const transformed = jsonSchemaTransform(input);
      const { security, note } = describeRequirement(input.route.config?.auth);
      const schema = transformed.schema as Record<string, unknown> & { response?: Record<string, unknown> };
      const errorResponse = {
        description: 'Problem',
        content: { 'application/problem+json': { schema: problemJsonSchema } },
      };
      return {
        ...transformed,
        schema: {
          ...schema,
          security,
          description: [schema.description, note].filter(Boolean).join('\n\n'),
          response: { ...schema.response, '4XX': errorResponse, '5XX': errorResponse },
        },
      };
    },
    transformObject: sortedComponents,
  });
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });
}

export default fp(openapi, { name: 'openapi' });
