// expect: safe xss CWE-79
function showReferrer() {
  const from = new URL(document.URL).searchParams.get('from');
  const banner = document.createElement('div');
  banner.className = 'banner';
  banner.textContent = 'Welcome from ' + from;
  document.body.appendChild(banner);
}
showReferrer();
