// expect: safe insecure_cookie CWE-614
export function rememberToken(token) {
  document.cookie = 'auth_token=' + encodeURIComponent(token) + '; path=/; Secure; SameSite=Strict';
}
