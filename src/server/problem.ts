import { z } from 'zod';

export interface FieldError {
  readonly field: string;
  readonly message: string;
}

/**
 * An error that becomes an RFC 9457 problem response. `code` is stable and machine-readable; the `type`
 * URI is derived from it (`/problems/<code>`, documented in docs/problems.md).
 */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    readonly detail?: string,
    readonly extensions: { errors?: readonly FieldError[] } & Record<string, unknown> = {},
  ) {
    super(detail ?? title);
    this.name = 'HttpProblem';
  }
}

export const badRequest = (detail: string, errors?: FieldError[]) =>
  new HttpProblem(400, 'bad_request', 'Bad Request', detail, errors ? { errors } : {});
export const unauthorized = (
  detail = 'Authentication is required: send Authorization: Bearer <api key or access token>.',
) => new HttpProblem(401, 'unauthorized', 'Unauthorized', detail);
export const forbidden = (detail: string) => new HttpProblem(403, 'forbidden', 'Forbidden', detail);
export const notFound = (detail: string) => new HttpProblem(404, 'not_found', 'Not Found', detail);
export const conflict = (code: string, detail: string, extensions: Record<string, unknown> = {}) =>
  new HttpProblem(409, code, 'Conflict', detail, extensions);

export const problemSchema = z
  .object({
    type: z.string().describe('URI reference identifying the problem type'),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    code: z.string().describe('stable machine-readable code'),
    instance: z.string().optional(),
    request_id: z.string(),
    errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  })
  .meta({ id: 'Problem' });
export type ProblemBody = z.infer<typeof problemSchema>;
