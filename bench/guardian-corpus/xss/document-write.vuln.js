// expect: vulnerable xss CWE-79
function showReferrer() {
  const from = new URL(document.URL).searchParams.get('from');
  document.write('<div class="banner">Welcome from ' + from + '</div>');
}
showReferrer();
