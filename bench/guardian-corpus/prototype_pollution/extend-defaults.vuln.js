// expect: vulnerable prototype_pollution CWE-1321
const $ = require('jquery');

module.exports = function widgetOptions(req, res) {
  const options = $.extend(true, {}, { size: 'm' }, JSON.parse(req.body.options));
  res.json(options);
};
