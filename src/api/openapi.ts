import { z } from 'zod';
import type { AnyRoute } from './route.js';

/** An OpenAPI 3.1 description generated from the route table, so it cannot drift from the code. */
export function openApiDocument(routes: readonly AnyRoute[], version: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const path = r.url.replace(/:(\w+)/g, '{$1}');
    const parameters = [
      ...(r.params ? objectProperties(r.params).map(([name, schema]) => ({ name, in: 'path', required: true, schema })) : []),
      ...(r.query ? objectProperties(r.query).map(([name, schema]) => ({ name, in: 'query', schema })) : []),
    ];
    paths[path] ??= {};
    paths[path][r.method.toLowerCase()] = {
      summary: r.summary,
      tags: r.tags,
      ...(parameters.length ? { parameters } : {}),
      ...(r.body ? { requestBody: { content: { 'application/json': { schema: toSchema(r.body) } } } } : {}),
      security: r.access === 'public' ? [] : [{ bearer: [] }, { session: [] }],
      ...(typeof r.access === 'object' ? { 'x-permissions': r.access } : {}),
      responses: { default: { description: 'JSON; errors use ErrorBody', content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorBody' } } } } },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Capstan', version, description: 'Call and screen recording for contact centers. Errors: docs/errors.md.' },
    paths,
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer' },
        session: { type: 'apiKey', in: 'cookie', name: 'capstan_session' },
      },
      schemas: {
        ErrorBody: {
          type: 'object',
          required: ['message', 'code', 'status', 'contextId'],
          properties: {
            message: { type: 'string' },
            code: { type: 'string' },
            status: { type: 'integer' },
            contextId: { type: 'string' },
            entityId: { type: 'string' },
            details: { type: 'array', items: { type: 'object' } },
            errors: { type: 'array', items: { type: 'object' } },
          },
        },
      },
    },
  };
}

function toSchema(schema: z.ZodType): unknown {
  return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
}

function objectProperties(schema: z.ZodType): Array<[string, unknown]> {
  const json = toSchema(schema) as { properties?: Record<string, unknown> };
  return Object.entries(json.properties ?? {});
}
