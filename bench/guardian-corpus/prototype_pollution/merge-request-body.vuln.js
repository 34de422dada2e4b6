// expect: vulnerable prototype_pollution CWE-1321
const express = require('express');
const app = express();

function assignDeep(target, source) {
  Object.keys(source).forEach((key) => {
    const value = source[key];
    if (value && typeof value === 'object') assignDeep((target[key] = target[key] || {}), value);
    else target[key] = value;
  });
  return target;
}

app.post('/profile', express.json(), (req, res) => {
  res.json(assignDeep({}, req.body));
});
