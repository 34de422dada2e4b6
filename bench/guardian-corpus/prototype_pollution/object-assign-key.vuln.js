// expect: vulnerable prototype_pollution CWE-1321
const counters = {};

export function track(req, res) {
  const { bucket, field, value } = req.query;
  counters[bucket] = counters[bucket] || {};
  counters[bucket][field] = value;
  res.sendStatus(204);
}
