import { validate } from '@readme/openapi-parser';

/**
 * Checks an OpenAPI document against the OpenAPI schema (3.0 or 3.1) with a real validator. Only
 * references inside the document are followed: a `$ref` to a URL or a file would have lvlup fetch
 * addresses or read files a user named, so external references are not resolved. Answers the
 * validator's messages, none when the document is valid.
 */
export async function openApiErrors(document: Readonly<Record<string, unknown>>): Promise<string[]> {
  try {
    // The validator dereferences (and so changes) what it is given.
    const checked = await validate(structuredClone(document) as never, {
      resolve: { external: false, file: false },
      dereference: { circular: 'ignore' },
      timeoutMs: 5000,
    });
    return checked.valid ? [] : checked.errors.map((error) => error.message);
  } catch (error) {
    return [error instanceof Error ? error.message : String(error)];
  }
}
