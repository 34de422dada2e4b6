// expect: vulnerable xxe CWE-611
const libxmljs = require('libxmljs');

const parseOptions = { noblanks: true, noent: true };

module.exports = function importCatalog(req, res) {
  const doc = libxmljs.parseXml(req.body.toString('utf8'), parseOptions);
  res.json({ items: doc.find('//item').length });
};
