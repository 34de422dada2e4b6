// expect: vulnerable xss CWE-79
// model: javascript/dom.json
window.addEventListener('message', (event) => {
  document.getElementById('inbox').innerHTML = event.data.body;
});
