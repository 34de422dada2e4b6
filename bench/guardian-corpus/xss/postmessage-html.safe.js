// expect: safe xss CWE-79
// model: javascript/dom.json
window.addEventListener('message', (event) => {
  document.getElementById('inbox').textContent = event.data.body;
});
