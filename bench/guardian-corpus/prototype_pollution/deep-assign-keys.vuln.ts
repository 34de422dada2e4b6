// expect: vulnerable prototype_pollution CWE-1321
type Bag = Record<string, unknown>;

const isBag = (value: unknown): value is Bag => typeof value === 'object' && value !== null;

export const deepAssign = (into: Bag, from: Bag): Bag => {
  Object.keys(from).forEach((name) => {
    if (!Object.prototype.hasOwnProperty.call(from, name)) return;
    if (isBag(from[name]) && isBag(into[name])) deepAssign(into[name] as Bag, from[name] as Bag);
    else into[name] = from[name];
  });
  return into;
};

export const loadPrefs = (stored: string): Bag => deepAssign({ theme: 'light' }, JSON.parse(stored));
