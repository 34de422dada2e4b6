// expect: safe open_redirect CWE-601
const redirect = new URLSearchParams(window.location.search).get('redirect');
if (redirect && redirect.startsWith('/') && !redirect.startsWith('//')) {
  window.location.href = new URL(redirect, window.location.origin).pathname;
}
