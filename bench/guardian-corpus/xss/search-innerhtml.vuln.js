// expect: vulnerable xss CWE-79
const params = new URLSearchParams(location.search);
const results = document.getElementById('results');
results.innerHTML = `<p>No results for <b>${params.get('q')}</b></p>`;
