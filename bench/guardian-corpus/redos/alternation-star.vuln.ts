// expect: vulnerable redos CWE-1333
const HOSTNAME = new RegExp('^(a|aa)+\\.example\\.com$');

export const matchesHost = (host: string) => HOSTNAME.test(host);
