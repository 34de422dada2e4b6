// expect: vulnerable insecure_randomness CWE-338
export function newSessionId(): string {
  return Date.now().toString(36) + Math.random().toString(36).slice(2);
}
