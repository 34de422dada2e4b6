// expect: safe redos CWE-1333
export function isValidSlug(input: string): boolean {
  return /^[\w-]{1,64}$/.test(input);
}
