// expect: vulnerable open_redirect CWE-601
const redirect = new URLSearchParams(window.location.search).get('redirect');
if (redirect) {
  window.location.href = redirect;
}
