// expect: safe redos CWE-1333
const HOSTNAME = new RegExp('^a+\\.example\\.com$');

export const matchesHost = (host: string) => HOSTNAME.test(host);
