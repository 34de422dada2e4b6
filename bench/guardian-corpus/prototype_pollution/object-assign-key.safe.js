// expect: safe prototype_pollution CWE-1321
const counters = new Map();

export function track(req, res) {
  const { bucket, field, value } = req.query;
  if (!counters.has(bucket)) counters.set(bucket, new Map());
  counters.get(bucket).set(field, value);
  res.sendStatus(204);
}
