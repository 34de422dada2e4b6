// expect: vulnerable code_injection CWE-95
function scheduleFromUrl() {
  const params = new URLSearchParams(window.location.search);
  const action = params.get('onload');
  setTimeout(action, 500);
}
scheduleFromUrl();
