// expect: safe xss CWE-79
function searchTerm() {
  const raw = window.location.hash.slice(1);
  return decodeURIComponent(raw);
}

function render() {
  document.getElementById('results-title').textContent = 'Results for ' + searchTerm();
}

window.addEventListener('hashchange', render);
