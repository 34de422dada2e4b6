// expect: vulnerable redos CWE-1333
export function isValidSlug(input: string): boolean {
  return /^(\w+\s?)*$/.test(input);
}
