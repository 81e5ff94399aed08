import type { Problem, Section } from './document';
import { exampleDocument, type JsonDocument } from './example';
import { validateDocument } from './validate';

/** The example document with one row's properties changed (`undefined` deletes a property). */
function exampleWith(
  section: Section,
  index: number,
  patch: Record<string, unknown>,
): JsonDocument {
  const doc = exampleDocument();
  const row = { ...doc[section][index], ...patch };
  for (const [key, value] of Object.entries(patch)) if (value === undefined) delete row[key];
  doc[section][index] = row;
  return doc;
}

function problemsOf(input: unknown): Problem[] {
  const result = validateDocument(input);
  if (result.ok) throw new Error('expected the document to be rejected');
  return result.problems;
}

describe('validateDocument: shapes and types', () => {
  it('when the document is not an object, then the problem is at the root', () => {
    expect(problemsOf([])).toEqual([
      { path: '', message: 'expected an object (the twin-graph document), got an array' },
    ]);
  });

  it('when the document has an unknown top-level key, then it names the allowed keys', () => {
    expect(problemsOf({ ...exampleDocument(), colour: 'red' })).toEqual([
      {
        path: 'colour',
        message:
          'unknown key "colour"; allowed keys: factories, lines, assets, flows, products, bom, ' +
          'production, suppliers, supplies, inventory, shipments, orders',
      },
    ]);
  });

  it('when a section is not an array, then it says so', () => {
    expect(problemsOf({ factories: { id: 'F1' } })).toEqual([
      { path: 'factories', message: 'expected an array, got an object' },
    ]);
  });

  it('when a row has an unknown key, then the problem is at the key and names the allowed keys', () => {
    expect(problemsOf(exampleWith('factories', 0, { colour: 'red' }))).toEqual([
      {
        path: 'factories[0].colour',
        message: 'unknown key "colour"; allowed keys: id, name, country, timezone, lat, lon',
      },
    ]);
  });

  it('when a metric has an unknown key, then the path goes down into the metric', () => {
    const doc = exampleWith('assets', 0, {
      metrics: [{ name: 'temperature', unit: 'Cel', value: 71 }],
    });
    expect(problemsOf(doc)).toEqual([
      {
        path: 'assets[0].metrics[0].value',
        message: 'unknown key "value"; allowed keys: name, unit, min, max',
      },
    ]);
  });

  it('when a property has the wrong type, then it names the expected type and the value', () => {
    expect(problemsOf(exampleWith('assets', 0, { ratePerHour: '60' }))).toEqual([
      { path: 'assets[0].ratePerHour', message: 'expected a number, got string "60"' },
    ]);
  });

  it('when a row is not an object, then the problem is at the row', () => {
    const doc = exampleDocument();
    expect(problemsOf({ ...doc, flows: ['A1->A2'] })).toEqual([
      { path: 'flows[0]', message: 'expected an object, got string "A1->A2"' },
    ]);
  });

  it('when a JavaScript caller passes a non-finite number, then it is rejected', () => {
    expect(problemsOf(exampleWith('production', 0, { ratePerHour: Infinity }))).toEqual([
      { path: 'production[0].ratePerHour', message: 'expected a finite number, got Infinity' },
    ]);
  });

  it.each([
    ['factories', 'name', 'a string'],
    ['lines', 'factoryId', 'a string'],
    ['assets', 'lineId', 'a string'],
    ['assets', 'kind', 'a string'],
    ['assets', 'ratePerHour', 'a number'],
    ['shipments', 'id', 'a string'],
    ['bom', 'quantity', 'a number'],
    ['inventory', 'quantity', 'a number'],
    ['shipments', 'eta', 'a string'],
    ['orders', 'dueDate', 'a string'],
  ] as const)('when %s[0].%s is missing, then it is required', (section, field, expected) => {
    expect(problemsOf(exampleWith(section, 0, { [field]: undefined }))).toEqual([
      { path: `${section}[0].${field}`, message: `required (${expected})` },
    ]);
  });

  it('when a required property is null, then it is a wrong type, not absent', () => {
    expect(problemsOf(exampleWith('suppliers', 0, { name: null }))).toEqual([
      { path: 'suppliers[0].name', message: 'expected a string, got null' },
    ]);
  });

  it('when ids and names are empty, blank or padded, then each says what is wrong', () => {
    const doc = exampleDocument();
    doc.products.push({ id: '', name: '  ' }, { id: ' P3', name: 'Bolt' });
    expect(problemsOf(doc)).toEqual([
      { path: 'products[2].id', message: 'must not be empty' },
      { path: 'products[2].name', message: 'must not be blank' },
      { path: 'products[3].id', message: 'must not start or end with whitespace' },
    ]);
  });

  it('when an asset id contains a slash, then it is rejected as an MQTT topic level', () => {
    const doc = exampleDocument();
    doc.assets.push({ id: 'A/3', lineId: 'L1', name: 'Oven', kind: 'OVEN', ratePerHour: 1 });
    expect(problemsOf(doc)).toEqual([
      {
        path: 'assets[2].id',
        message: 'must not contain "/", "+" or "#": it is a level of the MQTT telemetry topic',
      },
    ]);
  });

  it('when a factory id starts with an underscore, then it is rejected as a reserved topic level', () => {
    const doc = exampleDocument();
    doc.factories.push({ id: '_events', name: 'Shadow' });
    expect(problemsOf(doc)).toEqual([
      {
        path: 'factories[1].id',
        message:
          'must not start with "_": topics <prefix>/_... are reserved for the server\'s own events',
      },
    ]);
  });

  it('when an optional string is empty, then it is rejected', () => {
    expect(problemsOf(exampleWith('suppliers', 0, { country: '' }))).toEqual([
      { path: 'suppliers[0].country', message: 'must not be empty' },
    ]);
  });

  it.each([
    ['assets', 'ratePerHour', -1, 'must be at least 0, got -1'],
    ['assets', 'mtbfHours', 0, 'must be greater than 0, got 0'],
    ['production', 'ratePerHour', -0.5, 'must be at least 0, got -0.5'],
    ['bom', 'quantity', 0, 'must be greater than 0, got 0'],
    ['shipments', 'quantity', 0, 'must be greater than 0, got 0'],
    ['orders', 'quantity', -300, 'must be greater than 0, got -300'],
    ['inventory', 'quantity', -1, 'must be at least 0, got -1'],
    ['inventory', 'safetyStock', -1, 'must be at least 0, got -1'],
    ['supplies', 'leadTimeDays', -7, 'must be at least 0, got -7'],
    ['products', 'unitPrice', -1, 'must be at least 0, got -1'],
    ['lines', 'hoursPerShift', 25, 'must be at most 24, got 25'],
    ['factories', 'lat', 91, 'must be at most 90, got 91'],
    ['factories', 'lat', -90.5, 'must be at least -90, got -90.5'],
    ['factories', 'lon', 180.1, 'must be at most 180, got 180.1'],
  ] as const)(
    'when %s[0].%s is %d, then the problem names the bound',
    (section, field, value, message) => {
      expect(problemsOf(exampleWith(section, 0, { [field]: value }))).toEqual([
        { path: `${section}[0].${field}`, message },
      ]);
    },
  );

  it.each([
    ['assets', 'status', 'BROKEN', 'RUNNING, IDLE, DOWN, MAINTENANCE'],
    ['shipments', 'status', 'LOST', 'PLANNED, IN_TRANSIT, DELAYED, DELIVERED, CANCELLED'],
    ['orders', 'status', 'open', 'OPEN, FULFILLED, CANCELLED'],
  ] as const)(
    'when %s[0].%s is %s, then the allowed values are listed',
    (section, field, value, allowed) => {
      expect(problemsOf(exampleWith(section, 0, { [field]: value }))).toEqual([
        {
          path: `${section}[0].${field}`,
          message: `unknown value "${value}"; allowed values: ${allowed}`,
        },
      ]);
    },
  );

  it('when an asset kind is not UPPER_SNAKE_CASE, then it shows the form with examples', () => {
    expect(problemsOf(exampleWith('assets', 0, { kind: 'press' }))).toEqual([
      {
        path: 'assets[0].kind',
        message:
          '"press" is not an UPPER_SNAKE_CASE kind (such as PRESS, CNC, ROBOT, CONVEYOR, OVEN)',
      },
    ]);
  });

  it('when an asset kind is new but UPPER_SNAKE_CASE, then it is accepted', () => {
    expect(validateDocument(exampleWith('assets', 0, { kind: 'LASER_CUTTER_2' })).ok).toBe(true);
  });

  it.each([
    ['next week', ''],
    ['2026-11-27T08:00:00', ' (it has no time zone)'],
    ['2026-02-30', ' (no such day)'],
    ['2026-11-27T25:00:00Z', ' (no such time of day)'],
    ['27.11.2026', ''],
  ])('when a date is %p, then it does not parse', (eta, why) => {
    expect(problemsOf(exampleWith('shipments', 0, { eta }))).toEqual([
      {
        path: 'shipments[0].eta',
        message:
          `"${eta}" does not parse as a date${why}: expected ISO-8601 with a time zone ` +
          '(2026-11-20T08:00:00Z) or a date (2026-11-20)',
      },
    ]);
  });

  it('when a date is an epoch number, then it asks for an ISO string', () => {
    expect(problemsOf(exampleWith('orders', 0, { dueDate: 1764892800000 }))).toEqual([
      { path: 'orders[0].dueDate', message: 'expected an ISO-8601 date string such as 2026-11-20' },
    ]);
  });

  it('when the eta is before the departure, then the eta is wrong', () => {
    expect(problemsOf(exampleWith('shipments', 0, { eta: '2026-11-19' }))).toEqual([
      {
        path: 'shipments[0].eta',
        message: 'eta 2026-11-19T00:00:00.000Z is before departedAt 2026-11-20T08:00:00.000Z',
      },
    ]);
  });

  it('when a time zone is not an IANA zone, then it is rejected', () => {
    for (const timezone of ['Mars/Olympus_Mons', '+01:00', 'CEST ']) {
      expect(problemsOf(exampleWith('factories', 0, { timezone }))).toEqual([
        {
          path: 'factories[0].timezone',
          message: `"${timezone}" is not an IANA time zone (such as Europe/Berlin or America/Chicago)`,
        },
      ]);
    }
  });

  it('when shifts times hours exceed a day, then hoursPerShift is flagged', () => {
    expect(problemsOf(exampleWith('lines', 0, { shiftsPerDay: 3, hoursPerShift: 9 }))).toEqual([
      {
        path: 'lines[0].hoursPerShift',
        message: 'shiftsPerDay × hoursPerShift = 3 × 9 is more than the 24 hours of a day',
      },
    ]);
  });

  it('when a metric has min above max, an empty unit or a slash in its name, then each is flagged', () => {
    const doc = exampleWith('assets', 0, {
      metrics: [
        { name: 'temperature', unit: 'Cel', min: 90, max: 0 },
        { name: 'pressure', unit: '' },
        { name: 'oil/level', unit: '%' },
      ],
    });
    expect(problemsOf(doc)).toEqual([
      { path: 'assets[0].metrics[0].max', message: 'max (0) is less than min (90)' },
      { path: 'assets[0].metrics[1].unit', message: 'must not be empty' },
      {
        path: 'assets[0].metrics[2].name',
        message: 'must not contain "/" (metric ids are asset/name)',
      },
    ]);
  });

  it('when a metric unit is not a UCUM code, then it is flagged, while codes and aliases pass', () => {
    const doc = exampleWith('assets', 0, {
      metrics: [
        { name: 'temperature', unit: 'degC' },
        { name: 'flow', unit: 'L/min' },
        { name: 'distance', unit: 'furlongs' },
      ],
    });
    expect(problemsOf(doc)).toEqual([
      {
        path: 'assets[0].metrics[2].unit',
        message:
          'is not a UCUM unit code (e.g. Cel, bar, mm/s, kW, %, Hz); readings in other units could never be converted to it',
      },
    ]);
  });
});
