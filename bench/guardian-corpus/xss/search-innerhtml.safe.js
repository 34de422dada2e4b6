// expect: safe xss CWE-79
const params = new URLSearchParams(location.search);
const results = document.getElementById('results');
const p = document.createElement('p');
p.textContent = `No results for ${params.get('q')}`;
results.replaceChildren(p);
