// expect: vulnerable insecure_cookie CWE-614
export function rememberToken(token) {
  document.cookie = 'auth_token=' + token + '; path=/';
}
