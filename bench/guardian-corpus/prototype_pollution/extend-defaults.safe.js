// expect: safe prototype_pollution CWE-1321
const $ = require('jquery');

module.exports = function widgetOptions(req, res) {
  const incoming = JSON.parse(req.body.options);
  const options = { size: ['s', 'm', 'l'].includes(incoming.size) ? incoming.size : 'm' };
  res.json(options);
};
